"""Stories: articles that report the same event, by different outlets and in different words.

Online clustering at ingest, in the manifest's SQLite database and inside its commit
transaction: a new article joins the story it matches best if the match is close enough,
else it starts a story. An article is a TF-IDF vector of its `TERMS` most telling words
(capitalized words and numbers, which tell one earthquake or one trial from another of
the same kind, count `NAME_BOOST` times; document frequencies are counted as articles
arrive). A story is the sum of its articles' vectors, so the match, the mean cosine to the
story's articles (average link), is one dot product. Only stories reported within
`WINDOW_DAYS` of the article are candidates, found through their rarest shared words. A
near-copy joins its original's story. Thresholds were measured on ECB+ topics 1-35 (see
`python -m rag eval --stories`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import sqlite3
from collections import Counter

from rag.text.patterns import STOP_WORDS
from rag.types import DocInfo, Story, site_of

TERMS = 60
WORDS = 150  # the article's words weighed with document frequencies, of which TERMS are kept
NAME_BOOST = 3.0
THRESHOLD = 0.25  # mean cosine to a story's articles from which an article joins it
# a dated article joins only stories whose first report is this many days from it or fewer
WINDOW_DAYS = 7
# the article's most telling words that find candidate stories (5, 8 or 20 group ECB+ alike;
# fewer are faster at 100k articles)
_PROBE = 8
_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS story_docs (
    doc_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    vector TEXT NOT NULL,
    words TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_docs_by_story ON story_docs (story_id);
CREATE TABLE IF NOT EXISTS story_terms (
    term TEXT NOT NULL,
    story_id TEXT NOT NULL,
    weight REAL NOT NULL,
    PRIMARY KEY (term, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_terms_by_story ON story_terms (story_id);
CREATE TABLE IF NOT EXISTS stories (
    story_id TEXT PRIMARY KEY,
    first_day INTEGER NOT NULL,
    size INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stories_by_first_day ON stories (first_day);
CREATE TABLE IF NOT EXISTS term_df (
    term TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
"""


def words(title: str, text: str) -> dict[str, float]:
    """The article's `WORDS` most frequent topic words (lower-cased) -> 1 + log(count),
    times `NAME_BOOST` if the word is ever written capitalized or is a number. Only these
    are counted in document frequencies (fewer rows to write per article)."""
    counts: Counter[str] = Counter()
    named: set[str] = set()
    for word, n in Counter(_WORD.findall(f"{title}\n{text}")).items():
        low = word.lower()
        if len(low) < 2 or low in STOP_WORDS:
            continue
        counts[low] += n
        if word[0].isupper() or word[0].isdigit():
            named.add(low)
    weights = {
        w: (1 + math.log(c)) * (NAME_BOOST if w in named else 1.0) for w, c in counts.items()
    }
    return dict(sorted(weights.items(), key=lambda x: (-x[1], x[0]))[:WORDS])


def _unit(weights: dict[str, float]) -> dict[str, float]:
    top = sorted(weights.items(), key=lambda x: (-x[1], x[0]))[:TERMS]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    return {w: v / norm for w, v in top}


def _story_id(doc_id: str) -> str:
    return "s" + hashlib.blake2b(doc_id.encode(), digest_size=6).hexdigest()


class Stories:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    def write(self, doc_id: str, day: int, title: str, text: str, copy_of: str = "") -> str:
        """Put the article in its story (inside the caller's transaction); its story id."""
        self.delete(doc_id)
        counts = words(title, text)
        self.db.executemany(
            "INSERT INTO term_df VALUES (?, 1) ON CONFLICT(term) DO UPDATE SET n = n + 1",
            [(w,) for w in counts],
        )
        # about the number of articles (rowids of deleted rows are gaps): counting them all
        # would cost 8 ms at 100k articles
        n = self.db.execute("SELECT COALESCE(MAX(rowid), 0) FROM story_docs").fetchone()[0] + 1
        vector = _unit(self._tfidf(counts, n))
        story = self.story_of(copy_of) if copy_of else None
        story = story or self._best(vector, day) or _story_id(doc_id)
        self.db.execute(
            "INSERT INTO story_docs VALUES (?, ?, ?, ?, ?)",
            (doc_id, story, day, json.dumps(vector), " ".join(counts)),
        )
        self._add(story, vector, 1.0)
        self.db.execute(
            "INSERT INTO stories VALUES (?, ?, 1) ON CONFLICT(story_id) DO UPDATE SET "
            "size = size + 1, first_day = CASE WHEN first_day = 0 OR (excluded.first_day > 0 "
            "AND excluded.first_day < first_day) THEN excluded.first_day ELSE first_day END",
            (story, day),
        )
        return story

    def _tfidf(self, counts: dict[str, float], n: int) -> dict[str, float]:
        terms = list(counts)  # at most WORDS: one query
        marks = ",".join("?" * len(terms))
        df = dict(self.db.execute(f"SELECT term, n FROM term_df WHERE term IN ({marks})", terms))
        return {w: c * (math.log((n + 1) / (df.get(w, 1) + 1)) + 1) for w, c in counts.items()}

    def _best(self, vector: dict[str, float], day: int) -> str | None:
        """The story the article matches best, if it matches it well enough."""
        probe = list(vector)[:_PROBE]
        low, high = _window(day)
        found = self.db.execute(
            f"SELECT DISTINCT s.story_id, s.size FROM story_terms t JOIN stories s "
            f"ON s.story_id = t.story_id WHERE t.term IN ({','.join('?' * len(probe))}) "
            f"AND (s.first_day = 0 OR s.first_day BETWEEN ? AND ?)",
            [*probe, low, high],
        )
        size = dict(found.fetchall())
        if not size:
            return None
        scores: Counter[str] = Counter()
        terms = list(vector)
        rows = self.db.execute(
            f"SELECT story_id, term, weight FROM story_terms WHERE term IN "
            f"({','.join('?' * len(terms))}) AND story_id IN ({','.join('?' * len(size))})",
            [*terms, *size],
        )
        for story, term, weight in rows:
            scores[story] += vector[term] * weight / size[story]
        story, score = max(scores.items(), key=lambda x: (x[1], x[0]))
        return story if score >= THRESHOLD else None

    def _add(self, story: str, vector: dict[str, float], sign: float) -> None:
        self.db.executemany(
            "INSERT INTO story_terms VALUES (?, ?, ?) "
            "ON CONFLICT(term, story_id) DO UPDATE SET weight = weight + excluded.weight",
            [(w, story, sign * v) for w, v in vector.items()],
        )
        if sign < 0:
            self.db.execute("DELETE FROM story_terms WHERE story_id=? AND weight < 1e-9", (story,))

    def delete(self, doc_id: str) -> None:
        """Take the article out of its story (inside the caller's transaction); the story
        lives on while it has articles."""
        row = self.db.execute(
            "SELECT story_id, vector, words FROM story_docs WHERE doc_id=?", (doc_id,)
        ).fetchone()
        if row is None:
            return
        story, vector, counted = row
        self.db.execute("DELETE FROM story_docs WHERE doc_id=?", (doc_id,))
        self._add(story, json.loads(vector), -1.0)
        left = self.db.execute(
            "SELECT COUNT(*), COALESCE(MIN(NULLIF(day, 0)), 0) FROM story_docs WHERE story_id=?",
            (story,),
        ).fetchone()
        if left[0]:
            self.db.execute("UPDATE stories SET size=?, first_day=? WHERE story_id=?",
                            (*left, story))  # fmt: skip
        else:
            self.db.execute("DELETE FROM stories WHERE story_id=?", (story,))
        terms = [(w,) for w in counted.split()]
        self.db.executemany("UPDATE term_df SET n = n - 1 WHERE term=?", terms)
        self.db.executemany("DELETE FROM term_df WHERE term=? AND n <= 0", terms)

    def story_of(self, doc_id: str) -> str:
        row = self.db.execute("SELECT story_id FROM story_docs WHERE doc_id=?", (doc_id,))
        found = row.fetchone()
        return found[0] if found else ""

    def stories_of(self, doc_ids: list[str]) -> dict[str, str]:
        """doc_id -> story id, for those of `doc_ids` that have one."""
        ids = list(set(doc_ids))
        rows = self.db.execute(
            f"SELECT doc_id, story_id FROM story_docs WHERE doc_id IN ({','.join('?' * len(ids))})",
            ids,
        )
        return dict(rows.fetchall())

    def missing(self) -> list[tuple[str, str, str, str]]:
        """(doc_id, date, title, text) of documents stored before stories were formed,
        earliest published first."""
        rows = self.db.execute(
            "SELECT doc_id, date, title, text FROM documents WHERE doc_id NOT IN "
            "(SELECT doc_id FROM story_docs) ORDER BY date = '', date, doc_id"
        )
        return rows.fetchall()


def summarize(docs: list[DocInfo]) -> list[Story]:
    """The stories of these documents, the most recently reported first."""
    grouped: dict[str, list[DocInfo]] = {}
    for d in sorted(docs, key=lambda d: (d.date == "", d.date, d.doc_id)):
        grouped.setdefault(d.story_id or d.doc_id, []).append(d)
    stories = []
    for story_id, members in grouped.items():
        dates = [d.date for d in members if d.date]
        outlets = tuple(dict.fromkeys(site_of(d.url) or d.source for d in members))
        stories.append(Story(story_id, members[0].title, min(dates, default=""),
                             max(dates, default=""), outlets, tuple(members)))  # fmt: skip
    return sorted(stories, key=lambda s: (s.last_date, len(s.documents)), reverse=True)


def _window(day: int) -> tuple[int, int]:
    """The first and last YYYYMMDD day of a story that a `day` article may join (any story,
    when the article is undated)."""
    if not day:
        return 0, 99999999
    date = dt.date(day // 10000, day // 100 % 100, day % 100)
    low, high = (date + dt.timedelta(days=d) for d in (-WINDOW_DAYS, WINDOW_DAYS))
    return tuple(int(x.strftime("%Y%m%d")) for x in (low, high))
