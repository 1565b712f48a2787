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
  it names the topic at least NAMED as often (per sentence) as the best reports do, those
  holding the BEST nearest sentences (of all its sentences, not only those the search
  found: a digest's item on the story is all the search finds of it; and a sentence's
  vector is pooled in its chunk's context, so a digest's other items in that chunk come
  out near). The rate is relative because rarity is the archive's: in an archive of one
  story, its own words ("Egypt", "oil") are in every article and weigh next to nothing, so
  few sentences name it by the rarer words left ("protests", "spill");
- an article about the topic gives any of its sentences; any other article only those
  that are near and name the topic.

Photo captions and credits ("Thom Baur/Reuters A satellite view of …", "Maxar Technologies
The rocket sits …"), bylines ("… covers breaking news for USA TODAY"), embedded posts
("pic.twitter.com/… — NASA Artemis (@NASAArtemis) November 16, 2022"), video boxes ("04:00
- Source: CNN") and links ("RELATED: …") are page furniture the recurrence keys cannot
see (each is written once): they are known by their shape. A credit is words joined by "/"
before the caption's first capital, one of them a picture agency: a well-known one
(AGENCIES) or one that credits pictures in two other articles of the same timeline; "Gulf
Shores/Orange Beach claims …" is prose. A caption without a credit is known by its grammar
(`pictured`): what a picture shows, told in the present tense.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

import numpy as np

from rag.index.vectors import Sentences
from rag.ingest.attribution import pipeline
from rag.ingest.speech import SPEECH_VERBS, verb_lemma
from rag.text.patterns import MONTH
from rag.text.topic import Topic

NEAR = 0.5
BEST = 10
ABOUT = 0.25
NAMED = 0.25
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
_POSTED = r"\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"  # an embedded post's "(@handle) May 1, 2022"
_POST = re.compile(rf"pic\.twitter\.com/\w+|{_POSTED}")
_EMBED = re.compile(
    rf"pic\.twitter\.com/|{_POSTED}"  # an embedded post
    r"|\b\d{1,2}:\d\d\s+-\s+Source:|^Video Ad Feedback\b"  # a video box
    r"|^(?:RELATED|READ MORE|MORE|WATCH|LISTEN):"  # a link to another page
)


def embedded_post(paragraph: str) -> bool:
    """True for a paragraph that is an embedded post, ending in its link or its "— Name
    (@handle) Month D, YYYY" line: each of its sentences is the post, not the article."""
    return bool(_POST.search(paragraph))


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


# Present-tense verbs of prose, not of a picture: "Forecasters expect…", "Biden says…"
# ("An aerial view shows …", "Police respond to …" are pictures).
_PROSE = "be have do expect plan want need hope intend aim seek remain face include continue "
_PROSE += "mean seem appear require"
_NOT_PICTURED = frozenset(_PROSE.split()) | (SPEECH_VERBS - {"show", "respond"})
_BE_HAVE_DO = {"is": "be", "are": "be", "am": "be", "has": "have", "does": "do"}


# "The rocket can be seen at sunrise …", "Biden, pictured on Monday, …"
_SEEN = re.compile(r"\b(?:can|could) be seen\b|\b(?:is|are|was|were) seen here\b|\bpictured\b")
# A chronology's entry opens with its date, in the historical present ("June 17 - The FDA
# expands …", "On September 30, Hurricane Ian makes landfall …"): not a picture.
_CHRONOLOGY = re.compile(rf"^(?:On\s+)?(?:{MONTH}\.?\s+\d{{1,2}}|\d{{1,2}}\s+{MONTH})\b")


@lru_cache(maxsize=4096)
def pictured(sentence: str) -> bool:
    """Whether the sentence describes a picture, as an uncredited caption does: its main
    verb is in the present tense, with a subject that is not a pronoun, and is a verb of
    what is seen ("A couple walks past damage …", "People hug near the scene … Saturday",
    "This aerial view shows …"), or says it is seen ("… can be seen at sunrise"), where
    news prose tells in the past ("Ian made landfall …"), says what is expected
    ("Forecasters expect …") or what is ("The rocket is on the pad …"). Parsed by spaCy's
    English pipeline (rag/ingest/attribution.py), one sentence at a time, only for the
    sentences a timeline is about to take."""
    if _SEEN.search(sentence):
        return True
    if _CHRONOLOGY.match(sentence):
        return False
    doc = pipeline()(sentence)
    for root in (t for t in doc if t.dep_ == "ROOT"):
        base = verb_lemma(_BE_HAVE_DO.get(root.lower_, root.lower_), _NOT_PICTURED)
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if (root.tag_ in ("VBZ", "VBP") and base not in _NOT_PICTURED
                and subjects and all(c.tag_ != "PRP" for c in subjects)):  # fmt: skip
            return True
    return False


def on_topic(
    docs: list[str],
    texts: list[str],
    relevance: np.ndarray,
    articles: dict[str, Sentences],
    topic: Topic,
    captions: Captions,
) -> np.ndarray:
    """Which sentences may enter: `docs`, `texts` and `relevance` are per sentence (every
    sentence the search found, once); `articles` holds all the sentences of each article
    (see the module's docstring); a caption naming the topic does not make its article
    about it."""
    if not len(relevance):
        return np.zeros(0, dtype=bool)
    best = float(np.mean(np.sort(relevance)[::-1][:BEST]))
    near = relevance >= NEAR * best
    rate = {doc: float(np.mean([topic.names(t) and not captions(doc, t) for t in a.texts]))
            for doc, a in articles.items() if a.texts}  # fmt: skip
    leading = {docs[i] for i in np.argsort(-relevance, kind="stable")[:BEST]}
    reference = float(np.mean([rate.get(d, 0.0) for d in leading]))
    about = {
        doc: float(np.mean(articles[doc].closeness >= NEAR * best)) >= ABOUT
        and rate[doc] >= NAMED * reference
        for doc in rate
    }
    return np.array(
        [about.get(d, False) or (m and topic.names(t)) for d, t, m in zip(docs, texts, near)],
        dtype=bool,
    )
