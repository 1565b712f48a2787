"""Who said what, stored: every attribution of every article (rag/ingest/attribution.py),
written in the manifest's commit transaction with the article it comes from, and the
speaker index that finds them.

A speaker is found by the words of their name: "Blinken", "Antony Blinken" and "Secretary
Blinken" all find the attributions the articles give to Antony Blinken (titles are left
out of a name when it is stored and when it is asked for).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass

from rag.text.patterns import TITLES, content_words
from rag.types import Attribution, DocInfo, Filters, Quote, site_of

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quotes (
    doc_id TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    speaker_key TEXT NOT NULL,
    speaker_start INTEGER NOT NULL,
    speaker_end INTEGER NOT NULL,
    cue TEXT NOT NULL,
    direct INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS quotes_by_doc ON quotes (doc_id);
CREATE INDEX IF NOT EXISTS quotes_by_speaker ON quotes (speaker_key);
CREATE TABLE IF NOT EXISTS quoted_docs (doc_id TEXT PRIMARY KEY);
"""
_INFO = "d.doc_id, d.title, d.date, d.url, d.source, d.chunks, d.ingested_at"
_COLUMNS = "q.start, q.end, q.speaker, q.speaker_start, q.speaker_end, q.cue, q.direct, d.text"


@dataclass(frozen=True)
class Speaker:
    """Someone the archive quotes: how often, over which dates, mostly on what."""

    name: str
    quotes: int
    articles: int
    first_date: str
    last_date: str
    topics: tuple[str, ...]  # the words their quotes use most


def name_words(name: str) -> list[str]:
    """The lower-cased words of a name, titles left out: "Sen. Jeff Merkley" -> jeff, merkley."""
    words = re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", name.lower())
    return [w for w in words if w not in TITLES] or words


class Quotes:
    """The attributions table in the manifest's database (its transactions are the caller's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)

    def write(self, doc_id: str, found: list[Attribution]) -> None:
        """Replace the document's attributions with `found` (inside the caller's transaction)."""
        self.delete(doc_id)
        self.db.executemany(
            "INSERT INTO quotes VALUES (?,?,?,?,?,?,?,?,?)",
            [(doc_id, a.start, a.end, a.speaker, " ".join(name_words(a.speaker)),
              a.speaker_start, a.speaker_end, a.cue, int(a.direct)) for a in found],
        )  # fmt: skip
        self.db.execute("INSERT OR IGNORE INTO quoted_docs VALUES (?)", (doc_id,))

    def delete(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM quotes WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM quoted_docs WHERE doc_id=?", (doc_id,))

    def missing(self) -> list[tuple[str, str]]:
        """(doc_id, text) of documents stored before attributions were found."""
        rows = self.db.execute(
            "SELECT doc_id, text FROM documents "
            "WHERE doc_id NOT IN (SELECT doc_id FROM quoted_docs)"
        )
        return rows.fetchall()

    def find(
        self, speaker: str = "", filters: Filters | None = None, doc_id: str = ""
    ) -> list[Quote]:
        """The attributions to `speaker` (every one when empty), of one document if `doc_id`,
        published within `filters`, newest first (then in the order of their article)."""
        f = filters or Filters()
        where, args = ["1"], []
        for word in name_words(speaker) if speaker.strip() else []:
            where.append("(' ' || q.speaker_key || ' ') LIKE ?")
            args.append(f"% {word} %")
        if doc_id:
            where.append("q.doc_id = ?")
            args.append(doc_id)
        if f.since:
            where += ["d.date != ''", "d.date >= ?"]
            args.append(f.since.isoformat())
        if f.until:
            where += ["d.date != ''", "d.date <= ?"]
            args.append(f.until.isoformat())
        rows = self.db.execute(
            f"SELECT {_INFO}, {_COLUMNS} FROM quotes q JOIN documents d USING (doc_id) "
            f"WHERE {' AND '.join(where)} ORDER BY d.date DESC, d.doc_id, q.start",
            args,
        ).fetchall()
        found = []
        for row in rows:
            doc, (start, end, name, s_start, s_end, cue, direct, text) = DocInfo(*row[:7]), row[7:]
            if f.sites and site_of(doc.url) not in f.sites:
                continue
            a = Attribution(start, end, name, s_start, s_end, cue, bool(direct))
            found.append(Quote(doc, a, text[start:end], _around(doc.title, text, start, end)))
        return found

    def speakers(self, filters: Filters | None = None, limit: int = 50) -> list[Speaker]:
        """Who is quoted most: one name per person (a surname alone joins the one full name
        ending in it), with their dates and the words they use most."""
        quotes = [q for q in self.find("", filters) if q.attribution.speaker]
        full: dict[str, set[str]] = {}
        for q in quotes:
            words = name_words(q.attribution.speaker)
            if len(words) > 1:
                full.setdefault(words[-1], set()).add(" ".join(words))
        groups: dict[str, list[Quote]] = {}
        names: dict[str, Counter[str]] = {}
        for q in quotes:
            words = name_words(q.attribution.speaker)
            key = " ".join(words)
            if len(words) == 1 and len(full.get(words[0], ())) == 1:
                key = next(iter(full[words[0]]))
            groups.setdefault(key, []).append(q)
            names.setdefault(key, Counter())[q.attribution.speaker] += 1
        found = []
        for key, group in groups.items():
            dates = sorted(q.doc.date for q in group if q.doc.date)
            words = Counter(w for q in group for w in content_words(q.text) if len(w) > 3)
            for w in name_words(key):
                words.pop(w, None)
            name = max(names[key], key=lambda n: (len(n), names[key][n]))
            found.append(Speaker(name, len(group), len({q.doc.doc_id for q in group}),
                                 dates[0] if dates else "", dates[-1] if dates else "",
                                 _most_used(words)))  # fmt: skip
        found.sort(key=lambda s: (-s.quotes, s.name))
        return found[:limit]


def _most_used(words: Counter[str], n: int = 5) -> tuple[str, ...]:
    """The n most frequent words, ties in alphabetical order (the same in every process)."""
    return tuple(w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def _around(title: str, text: str, start: int, end: int) -> str:
    """The headline, and the paragraphs (lines) from the one before `start` to the one
    after `end`."""
    first = text.rfind("\n", 0, max(text.rfind("\n", 0, start), 0))
    last = text.find("\n", end)
    last = text.find("\n", last + 1) if last != -1 else -1
    return title + "\n" + text[first + 1 : last if last != -1 else len(text)]
