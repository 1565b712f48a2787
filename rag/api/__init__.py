"""Shells for other tools: the HTTP server (REST, OpenAI-compatible chat, MCP) and the
LangChain retriever."""
