"""The LLM answerer: a chat model writes the answer from numbered passages, then every claim
is checked against what it cites before it is shown.

The offline quotes stay in charge of two things: whether the archive answers at all (no
LLM call when it does not) and the answer shown when the model fails, is too slow, or
writes claims its citations do not support.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import PromptTemplate

from rag.answer.evidence import ScoredSentence
from rag.answer.question import asks_latest
from rag.answer.quotes import OnToken, build_answer, defang_markers, select_quotes
from rag.answer.types import Answer, Citation, Claim
from rag.answer.verify import Checked, check
from rag.index.embeddings import Encoder
from rag.settings import Settings
from rag.text.dates import date_range, newest_first
from rag.types import Hit, Span

log = logging.getLogger("rag")
_TAG_LIKE = re.compile(r"</?\s*passage", re.IGNORECASE)


class LLMError(RuntimeError):
    """The model gave no usable answer; the message says why, for the user."""


def format_passages(hits: list[Hit]) -> str:
    """Number passages for the prompt as quoted data.

    Text that could pass for our markup inside an article (citation markers, passage
    tags) is neutralized so that a document cannot fake a citation or end its own quote.
    """
    blocks = []
    for n, hit in enumerate(hits, start=1):
        text = _TAG_LIKE.sub("passage", defang_markers(hit.text))
        title = defang_markers(hit.title).replace('"', "'")
        blocks.append(
            f'<passage n="{n}" date="{hit.date or "undated"}" title="{title}">\n{text}\n</passage>'
        )
    return "\n\n".join(blocks)


def passages_for(hits: list[Hit], limit: int) -> list[Hit]:
    """The passages the model reads: the `limit` best hits, newest first."""
    return sorted(hits[:limit], key=lambda h: newest_first(h.date))


class LLMAnswerer:
    """Answers with a chat model; falls back to quoting the archive with a notice."""

    def __init__(
        self,
        model: BaseChatModel,
        name: str,
        embedder: Encoder,
        settings: Settings,
        prompts: dict[str, PromptTemplate],
    ) -> None:
        self.model, self.name, self.embedder = model, name, embedder
        self.settings, self.prompts = settings, prompts

    def standalone(self, question: str, history: list[tuple[str, str]]) -> str:
        """Rewrite a follow-up question into one that stands alone; the question on failure."""
        if not history:
            return question
        turns = "\n".join(f"User: {q}\nAssistant: {a[:500]}" for q, a in history[-3:])
        prompt = self.prompts["condense"].format(history=turns, question=question)
        try:
            text = self._generate([HumanMessage(prompt)], None)
        except LLMError as e:
            log.warning("could not rewrite the follow-up question: %s", e)
            return question
        line = text.strip().splitlines()[0].strip() if text.strip() else ""
        # a rewrite far longer than the question is the model rambling, not a question
        ok = 0 < len(line) <= 3 * len(question) + 200
        return line if ok else question

    def answer(
        self,
        question: str,
        hits: list[Hit],
        scored: list[ScoredSentence],
        on_token: OnToken | None = None,
    ) -> Answer:
        s = self.settings
        quotes = select_quotes(scored, s.max_quotes, s.answer_weights, asks_latest(question))
        if not quotes:
            return build_answer(question, hits, [], self.prompts)
        passages = passages_for(hits, s.llm_passages)
        messages = [
            SystemMessage(self.prompts["system"].format(abstain=self._abstain)),
            HumanMessage(
                self.prompts["answer"].format(
                    today=dt.date.today().isoformat(),
                    passages=format_passages(passages),
                    question=question,
                )
            ),
        ]
        try:
            text = self._generate(messages, on_token)
        except LLMError as e:
            notice = self.prompts["llm_failed"].format(backend=self.name, reason=str(e))
            return build_answer(question, hits, quotes, self.prompts, notice)
        if text.strip().lower().startswith(self._abstain.lower().rstrip(".")):
            answer = build_answer(question, hits, [], self.prompts)
            return Answer(question, answer.text, True, hits=tuple(hits), backend=self.name)
        checked = check(text, passages, self.embedder, s.min_claim_support)
        unsupported = sum(not c.supported for c in checked.claims)
        if not checked.claims or unsupported > s.max_unsupported_share * len(checked.claims):
            notice = self.prompts["llm_unverified"].format(
                backend=self.name, unsupported=unsupported, total=len(checked.claims)
            )
            return build_answer(question, hits, quotes, self.prompts, notice)
        return self._compose(question, hits, passages, checked)

    @property
    def _abstain(self) -> str:
        return self.prompts["llm_abstain"].format()

    def _generate(self, messages: list, on_token: OnToken | None) -> str:
        """The model's reply, streamed to `on_token`; LLMError on failure or past the deadline."""
        deadline = time.monotonic() + self.settings.llm_deadline
        parts: list[str] = []
        try:
            for chunk in self.model.stream(messages):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                parts.append(piece)
                if on_token and piece:
                    on_token(piece)
                if time.monotonic() > deadline:
                    raise LLMError(f"no full answer within {self.settings.llm_deadline:g} s")
        except LLMError:
            raise
        except Exception as e:
            log.warning("LLM %s failed: %r", self.name, e)
            raise LLMError(_reason(e, self.settings)) from e
        text = "".join(parts)
        if not text.strip():
            raise LLMError("it returned an empty answer")
        return text

    def _compose(
        self, question: str, hits: list[Hit], passages: list[Hit], checked: Checked
    ) -> Answer:
        """The checked answer with citations renumbered 1.. per article in order of first
        use (two passages of one article share its number)."""
        order = list(dict.fromkeys(n for c in checked.claims for n in c.citations))
        articles: dict[str, int] = {}
        new = {
            old: articles.setdefault(passages[old - 1].doc_id, len(articles) + 1) for old in order
        }
        mark = self.prompts["unsupported_claim"].format()
        claims = tuple(
            Claim(c.text, tuple(dict.fromkeys(new[n] for n in c.citations)), c.support, c.supported)
            for c in checked.claims
        )
        lines: dict[int, list[str]] = {}
        for claim, line in zip(claims, checked.line_of):
            cites = "".join(f"[{n}]" for n in claim.citations)
            piece = f"{claim.text} {cites}".strip() + ("" if claim.supported else f" {mark}")
            lines.setdefault(line, []).append(piece)
        body = "\n".join(" ".join(pieces) for pieces in lines.values())
        citations = tuple(
            _citation(new[old], passages[old - 1], checked.evidence.get(old)) for old in order
        )
        text = self.prompts["dated_answer"].format(
            date_range=date_range([c.date for c in citations]), answer=body
        )
        return Answer(question, text, False, citations, tuple(hits), claims, self.name)


def _citation(n: int, hit: Hit, evidence: Span | None) -> Citation:
    span = evidence or (hit.sentences[0] if hit.sentences else Span(hit.start, hit.end))
    return Citation.of(n, hit, span)


def _reason(error: Exception, s: Settings) -> str:
    """A short, user-facing reason for a failed model call."""
    kind = type(error).__name__.lower()
    if "timeout" in kind:
        return f"no reply within {s.llm_timeout:g} s"
    if "connect" in kind:
        return f"cannot reach {s.llm_base_url or s.llm_backend}"
    return f"{type(error).__name__}: {str(error)[:120]}"
