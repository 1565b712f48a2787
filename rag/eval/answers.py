"""Answer metrics: is the gold answer quoted, first, or at least in what was read; do the
citations point into answer articles; and the "too early" set, questions asked before any
report of their event existed (see ../shared/eval/README.md and the README's tables)."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from rag.answer.types import Answer
from rag.eval.common import Question, percentile, plain
from rag.search.dates import names_present, question_range

# Questions that name a recent period; asked this many days before their quiz date, no
# report of the event exists yet: the archive should say it does not answer (issue #18).
_RECENT = re.compile(r"\b(?:this week|last week|this month|recently)\b", re.IGNORECASE)
TOO_EARLY_DAYS = 42


def too_early(questions: list[Question]) -> list[Question]:
    """The "too early" set: questions naming a recent period, asked TOO_EARLY_DAYS before
    their quiz date, kept only if every answer article was published after that day."""
    early = []
    for q in questions:
        if q.as_of is None or not q.published or not _RECENT.search(q.query):
            continue
        before = q.as_of - dt.timedelta(days=TOO_EARLY_DAYS)
        if all(p > before for p in q.published):
            early.append(replace(q, as_of=before))
    return early


# Questions whose answer does not depend on when they are asked (no "this week", "now",
# "latest"…, and not about the state of things then: "which virus is spreading"); asked
# this many days after their quiz date, newer articles on the same names exist: an old fact
# must still be found (issue #29, "without losing old facts").
_DATED = re.compile(
    r"\b(?:(?:this|last|next) (?:week|month|year)|recent(?:ly)?|new(?:est)?|latest|now|"
    r"currently|today|as of)\b",
    re.IGNORECASE,
)
LATER_DAYS = 120


def asked_later(questions: list[Question]) -> list[Question]:
    """The "asked later" set: questions that name no time of their own (no period search
    reads in them, rag/search/dates.py, no "now" or "latest", and no state at the time of
    asking: "remains", "is spreading"), asked LATER_DAYS after their quiz date."""
    return [replace(q, as_of=q.as_of + dt.timedelta(days=LATER_DAYS)) for q in questions
            if q.as_of is not None and not _DATED.search(q.query) and not names_present(q.query)
            and question_range(q.query, q.as_of) is None]  # fmt: skip


def answer_in_citation(answer: Answer, gold: str) -> bool:
    """The gold answer string (case-insensitive, curly quotes ignored) is in a cited sentence."""
    needle = plain(gold)
    return bool(needle) and any(needle in plain(c.quote) for c in answer.citations)


def answer_in_first_quote(answer: Answer, gold: str) -> bool:
    """The gold answer is in the first quotation, the one a reader reads first (the lead
    sentence, with the sentence leading into it when the answer quotes that too)."""
    needle = plain(gold)
    if not needle or not answer.citations:
        return False
    first = answer.text.split("\n\n")[0]
    lead = [c for c in answer.citations if c.n == 1 and c.quote in first] or answer.citations[:1]
    return any(needle in plain(c.quote) for c in lead)


def answer_in_passages(answer: Answer, gold: str) -> bool:
    """The gold answer is in a passage the answerer read (or a headline): its ceiling."""
    needle = plain(gold)
    texts = [t for h in answer.hits for t in (h.title, h.text)]
    return bool(needle) and any(needle in plain(t) for t in texts)


def evaluate_answers(
    ask: Callable[[Question], Answer], questions: list[Question]
) -> dict[str, float]:
    """Answer-in-citation (any quote, the first quotation, the passages read), citation
    precision, abstention rate, the share of answers that show a disagreement between
    sources, the share of claims their citations support, the share of answers that fell
    back to quotes with a notice (LLM failed or unsupported), and the median time to answer."""
    found, first, read, abstained, precise, in_story, cited, disputed, fallbacks = [0] * 9
    claims: list[bool] = []
    ms: list[float] = []
    for q in questions:
        start = time.perf_counter()
        answer = ask(q)
        ms.append((time.perf_counter() - start) * 1000)
        first += answer_in_first_quote(answer, q.answer)
        read += answer_in_passages(answer, q.answer)
        abstained += answer.abstained
        disputed += bool(answer.conflicts)
        fallbacks += bool(answer.notice)
        claims += [c.supported for c in answer.claims]
        found += answer_in_citation(answer, q.answer)
        articles = {c.n: c.source for c in answer.citations}  # one number per article
        cited += len(articles)
        precise += sum(source in q.targets for source in articles.values())
        in_story += sum(source in q.in_story for source in articles.values())
    n = max(len(questions), 1)
    return {
        "questions": len(questions),
        "answer_in_citation": found / n,
        "in_first_quote": first / n,
        "in_passages_read": read / n,
        "citation_precision": precise / cited if cited else 0.0,
        "citation_precision_story": in_story / cited if cited else 0.0,
        "abstention_rate": abstained / n,
        "with_conflict": disputed / n,
        "claim_support": statistics.fmean(claims) if claims else 0.0,
        "fallback_rate": fallbacks / n,
        "ask_p50_ms": percentile(ms, 0.5),
    }
