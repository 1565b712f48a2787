"""Builds the LangChain chat model named in settings (a small registry), or None offline."""

from __future__ import annotations

import os
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel

from rag.settings import Settings


class LLMConfigError(ValueError):
    """Settings that name an LLM backend but not enough to reach it."""


def _openai(s: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    key = s.llm_api_key.get_secret_value() if s.llm_api_key else os.environ.get("OPENAI_API_KEY")
    if not s.llm_base_url and not key:
        raise LLMConfigError(
            "RAG_LLM_BACKEND=openai needs RAG_LLM_BASE_URL (a local OpenAI-compatible server, "
            "e.g. http://127.0.0.1:8080/v1) or an API key in RAG_LLM_API_KEY"
        )
    return ChatOpenAI(
        model=s.llm_model or "local",
        base_url=s.llm_base_url or None,
        api_key=key or "not-needed",  # local servers ignore it; the client insists on one
        timeout=s.llm_timeout,
        max_retries=s.llm_max_retries,
        max_tokens=s.llm_max_tokens,
        temperature=0,
        streaming=True,
    )


def _ollama(s: Settings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    if not s.llm_model:
        raise LLMConfigError("RAG_LLM_BACKEND=ollama needs RAG_LLM_MODEL, e.g. llama3.2")
    return ChatOllama(
        model=s.llm_model,
        base_url=s.llm_base_url or None,
        temperature=0,
        num_predict=s.llm_max_tokens,
        client_kwargs={"timeout": s.llm_timeout},
    )


BACKENDS: dict[str, Callable[[Settings], BaseChatModel]] = {"openai": _openai, "ollama": _ollama}


def chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None for offline answers."""
    build = BACKENDS.get(settings.llm_backend)
    return build(settings) if build else None


def describe(settings: Settings) -> str:
    """A short name for the configured backend, shown with each answer."""
    if settings.llm_backend == "offline":
        return "offline"
    where = settings.llm_base_url or settings.llm_backend
    return f"{settings.llm_model or 'local'} @ {where}"
