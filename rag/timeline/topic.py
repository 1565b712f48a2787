"""Which sentences a timeline may take: those about its story, never captions or credits.

A wide search on a topic also finds articles that mention it once: a "5 things to know"
digest, a round-up of the 50 states, a year in review, a report on something else with a
photo of the story. Their other items share the story's days, not its events. So:

- a sentence is *near* the topic when its closeness to the query (cosine of the vectors
  stored at ingest) is at least NEAR of the best sentences' (the mean of the BEST closest);
  it *names* the topic when it holds most of the query's words, weighted by rarity
  (`Topic`): meaning alone cannot tell the Artemis mission from another moon mission, nor
  the uprising in Syria from the one in Libya;
- an article is *about* the topic when at least ABOUT of all its sentences are near and
  at least NAMED of them name it (of all its sentences, not only those the search found:
  a digest's item on the story is all the search finds of it; and a sentence's vector is
  pooled in its chunk's context, so a digest's other items in that chunk come out near);
- an article about the topic gives any of its sentences; any other article only those
  that are near and name the topic.

Photo captions and credits ("Thom Baur/Reuters A satellite view of …", "Maxar Technologies
The rocket sits …"), bylines ("… covers breaking news for USA TODAY"), embedded posts
("pic.twitter.com/… — NASA Artemis (@NASAArtemis) November 16, 2022"), video boxes ("04:00
- Source: CNN") and links ("RELATED: …") are page furniture
the recurrence keys cannot see (each is written once): they are known by their shape. A
credit is words joined by "/" before the caption's first capital, one of them a picture
agency: a well-known one (AGENCIES) or one that credits pictures in two other articles of
the same timeline; "Gulf Shores/Orange Beach claims …" is prose.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

NEAR = 0.5
BEST = 10
ABOUT = 0.25
NAMED = 0.1
NAMES = 0.5
_WORD = re.compile(r"\w+")
AGENCIES = (
    "ap", "afp", "reuters", "getty", "epa", "epa-efe", "shutterstock", "bloomberg", "nasa",
    "usa today", "imagn", "pool", "xinhua", "anadolu", "sipa", "alamy", "zuma", "polaris",
    "redux", "maxar", "planet labs", "cnn", "nbc", "abc", "cbs", "the washington post",
    "the new york times", "the associated press",
)  # fmt: skip
_NAME = r"[A-Z][\w.'’&-]*"
# Up to four capitalised words, then one or more "/Agency" parts, then the caption.
# ("Gregg Newton/AFP via Getty Images Cathie …", "NASA via AP Waves …"; "/Orlando Sentinel
# via AP A man …" when the sentence splitter kept the photographer's name before it).
_PART = rf"{_NAME}(?:\s{_NAME}){{0,3}}"
_CREDIT = re.compile(rf"^((?:{_PART})?)((?:\s?/\s?{_PART}|\svia\s{_PART})+)\s+(?=[A-Z“\"])")
_AGENCY_FIRST = re.compile(r"^(?:Maxar Technologies|Planet Labs|Getty Images|Shutterstock)\s+[A-Z]")
_BYLINE = re.compile(
    rf"^(?:{_NAME}\s){{1,3}}(?:covers|reports on|writes about|is an? [\w ]{{0,40}}"
    r"(?:reporter|correspondent|writer|editor|columnist))\b"
)
_EMBED = re.compile(
    r"pic\.twitter\.com/|\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"  # an embedded post
    r"|\b\d{1,2}:\d\d\s+-\s+Source:|^Video Ad Feedback\b"  # a video box
    r"|^(?:RELATED|READ MORE|MORE|WATCH|LISTEN):"  # a link to another page
)


def credit_parts(sentence: str) -> tuple[str, ...]:
    """The names after each "/" of the credit a sentence opens with, lower-cased ("Joe
    Raedle/Getty Images NASA's Artemis I …" -> ("getty images nasa's artemis",): where the
    credit ends and the caption begins is not known); () when it opens with no such shape."""
    m = _CREDIT.match(sentence)
    if not m:
        return ()
    return tuple(p.strip().lower() for p in re.split(r"/|\svia\s", m.group(2)) if p.strip())


def _agency(part: str) -> bool:
    return any(part == a or part.startswith(a + " ") for a in AGENCIES)


class Captions:
    """Which of a timeline's sentences are captions, credits, bylines or embedded posts."""

    def __init__(self, sentences: list[tuple[str, str]]):
        """`sentences`: (doc_id, text) of every sentence the timeline may take."""
        docs: defaultdict[str, set[str]] = defaultdict(set)  # first word of a part: articles
        for doc, text in sentences:
            for part in credit_parts(text):
                docs[part.split()[0]].add(doc)
        self._docs = docs

    def __call__(self, doc: str, text: str) -> bool:
        if _EMBED.search(text) or _BYLINE.match(text) or _AGENCY_FIRST.match(text):
            return True
        return any(
            _agency(p) or len(self._docs[p.split()[0]] - {doc}) >= 2 for p in credit_parts(text)
        )


class Topic:
    """The query's words, each weighted by its rarity in the archive (BM25's inverse
    document frequency). A text *names* the topic when it holds words worth at least NAMES
    of their weight: "Pelosi … Taiwan" names "Nancy Pelosi's visit to Taiwan", "Taiwan"
    alone does not. "Syrian" holds "syria": a word of five letters or more also matches as
    a prefix. With no query word in the archive, every text names it."""

    def __init__(self, weights: dict[str, float]):
        self.weights = weights
        self.total = sum(weights.values())

    def names(self, text: str) -> bool:
        if not self.weights:
            return True
        tokens = set(_WORD.findall(text.lower()))
        held = sum(v for w, v in self.weights.items() if _holds(tokens, w))
        return held >= NAMES * self.total


def _holds(tokens: set[str], word: str) -> bool:
    return word in tokens or (len(word) >= 5 and any(t.startswith(word) for t in tokens))


def on_topic(
    docs: list[str],
    texts: list[str],
    relevance: np.ndarray,
    articles: dict[str, np.ndarray],
    topic: Topic,
) -> np.ndarray:
    """Which sentences may enter: `docs`, `texts` and `relevance` are per sentence (every
    sentence the search found, once); `articles` holds the closeness to the query of each
    article's sentences, all of them (see the module's docstring)."""
    if not len(relevance):
        return np.zeros(0, dtype=bool)
    best = float(np.mean(np.sort(relevance)[::-1][:BEST]))
    near = relevance >= NEAR * best
    names = [topic.names(t) for t in texts]
    named = Counter(d for d, n in zip(docs, names) if n)
    about = {
        doc: len(r) > 0
        and float(np.mean(r >= NEAR * best)) >= ABOUT
        and named[doc] >= NAMED * len(r)
        for doc, r in articles.items()
    }
    return np.array(
        [about.get(d, False) or (n and m) for d, n, m in zip(docs, near, names)], dtype=bool
    )
