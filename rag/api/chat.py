"""OpenAI-compatible chat: `GET /v1/models`, `POST /v1/chat/completions` (streamed or not).

The last user message is the question, earlier turns the history. `message.content` is the
answer with its [n] markers (markup that would make a link, an image or HTML in a chat
client's Markdown is escaped: the quotes are untrusted text) and a list of sources;
`message.annotations` holds OpenAI's `url_citation` entries, one per marker; the extra
`citations`, `claims`, `conflicts`, `notice` … carry the `ask --json` fields. Streamed, the
answer is sent once it is checked (an LLM's draft is never streamed: it may be replaced),
and the last chunk carries the annotations and citations.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from rag.answer.types import Answer
from rag.api.guard import error_body
from rag.api.models import COMMON, Flag, Options, errors
from rag.pipeline import Archive
from rag.render import WORD_JOINER, safe_url
from rag.shapes import answer_json

# model name -> answer offline (quotes) whatever the configured backend
MODELS = {"news-archive": False, "news-archive-quotes": True}
_MARKER = re.compile(r"\[(\d+)\]")
_ACTIVE = re.compile(r"([\\`\[\]<>!])")
_AUTOLINK = re.compile(r"(?i)(?<=http:)(?=//)|(?<=https:)(?=//)|(?<=www)(?=\.)")


class Part(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str = ""


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[Part] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(Options):
    model_config = ConfigDict(extra="allow")
    model: str = "news-archive"
    messages: list[Message] = Field(min_length=1)
    stream: Flag = False
    offline: Flag = Field(False, description="quote the archive even if an LLM is configured")
    closest: Flag = Field(False, description="quote the closest reports even out of period")
    sources: Flag = Field(True, description="end the content with the list of sources")


def turns(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """The question (the last user message) and the earlier (question, answer) turns."""
    talk = [(m.role, m.text()) for m in messages if m.role in ("user", "assistant")]
    if not talk or talk[-1][0] != "user" or not talk[-1][1].strip():
        raise HTTPException(422, "the last message must be the user's question")
    history, question = [], ""
    for speaker, text in talk[:-1]:
        if speaker == "user":
            question = text
        elif question:
            history.append((question, text))
            question = ""
    return talk[-1][1], history


def defang(text: str) -> str:
    """Text that a Markdown renderer shows as written: never a link, image or HTML."""
    return _ACTIVE.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def content_of(answer: Answer, base_url: str, sources: bool) -> tuple[str, list[dict]]:
    """The message content (escaped text, raw [n] markers, sources) and its annotations."""
    by_n = {quotes[0].n: quotes[0] for quotes in answer.sources()}
    parts, annotations, pos = [], [], 0
    for m in _MARKER.finditer(answer.text):
        parts.append(defang(answer.text[pos : m.start()]))
        cited = by_n.get(int(m.group(1)))
        start = sum(map(len, parts))
        parts.append(m.group(0) if cited else defang(m.group(0)))
        if cited:
            url = safe_url(cited.url) or f"{base_url}api/documents/{cited.doc_id}"
            annotations.append({"type": "url_citation", "url_citation": {
                "start_index": start, "end_index": start + len(m.group(0)),
                "url": url, "title": cited.title}})  # fmt: skip
        pos = m.end()
    parts.append(defang(answer.text[pos:]))
    if sources and by_n:
        parts.append("\n\nSources:")
        for n, c in by_n.items():
            where = safe_url(c.url) or c.source
            parts.append(f"\n[{n}] {defang(c.title)}, {c.date or 'undated'}. {defang(where)}")
    return "".join(parts), annotations


def chat_router(archive: Archive) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=COMMON)

    @router.get("/models")
    def models() -> dict:
        """The answerers: news-archive (the configured one), news-archive-quotes (offline)."""
        owner = archive.llm[0] or "offline"
        return {"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "quotes" if quotes else owner}
            for name, quotes in MODELS.items()]}  # fmt: skip

    @router.post("/chat/completions", responses=errors(404))
    async def complete(body: ChatRequest, request: Request):
        """A cited answer in OpenAI's chat completion shape (streamed with `stream: true`)."""
        if body.model not in MODELS:
            raise HTTPException(404, f"no model '{body.model}'; use one of {', '.join(MODELS)}")
        question, history = turns(body.messages)
        question = archive.check_question(question)
        offline = body.offline or MODELS[body.model]

        def ask() -> Answer:
            return archive.ask(question, as_of=body.as_of, filters=body.filters(),
                               history=history, offline=offline, closest=body.closest,
                               copies=body.all_copies)  # fmt: skip

        reply = Reply(body.model, str(request.base_url), body.sources)
        if not body.stream:
            return reply.whole(await run_in_threadpool(ask))

        async def events():
            yield json.dumps(reply.chunk({"role": "assistant", "content": ""}))
            try:
                answer = await run_in_threadpool(ask)
            except Exception as e:  # the stream has begun: the error goes in it
                yield json.dumps(
                    error_body(500, f"the answer failed ({type(e).__name__})", "error")
                )
                return
            for chunk in reply.pieces(answer):
                yield json.dumps(chunk)
            yield "[DONE]"

        return EventSourceResponse(events(), ping=10)

    return router


class Reply:
    """The OpenAI objects of one answer: a chat.completion, or chat.completion.chunk's."""

    def __init__(self, model: str, base_url: str, sources: bool) -> None:
        self.model, self.base_url, self.sources = model, base_url, sources
        self.id, self.created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def extra(self, answer: Answer) -> dict:
        full = answer_json(answer)
        keep = ("citations", "claims", "conflicts", "abstained", "notice", "interpreted",
                "out_of_scope")  # fmt: skip
        return {"backend": answer.backend, **{k: full[k] for k in keep}}

    def usage(self) -> dict:
        # the offline answerer reads no tokens; an LLM's count is not reported back to us
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

    def whole(self, answer: Answer) -> dict:
        content, annotations = content_of(answer, self.base_url, self.sources)
        message = {"role": "assistant", "content": content, "refusal": None,
                   "annotations": annotations}  # fmt: skip
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        return {"id": self.id, "object": "chat.completion", "created": self.created,
                "model": self.model, "choices": [choice], "usage": self.usage(),
                **self.extra(answer)}  # fmt: skip

    def chunk(self, delta: dict, finish: Literal["stop"] | None = None, **extra) -> dict:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                "model": self.model, "choices": [choice], **extra}  # fmt: skip

    def pieces(self, answer: Answer) -> list[dict]:
        """The content in a few pieces (one per line), then the last chunk with the rest."""
        content, annotations = content_of(answer, self.base_url, self.sources)
        lines = content.splitlines(keepends=True) or [""]
        chunks = [self.chunk({"content": line}) for line in lines]
        last = {"annotations": annotations}
        chunks.append(self.chunk(last, "stop", usage=self.usage(), **self.extra(answer)))
        return chunks
