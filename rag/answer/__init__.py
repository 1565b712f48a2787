"""From Hits to an Answer: sentence evidence, offline quotes, LLM answers, checks, conflicts."""
