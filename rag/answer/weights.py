"""The weights and thresholds of the answer path, in one value.

Each default was chosen by 5-fold cross-validation on the RealTimeQA dev questions, folds
by quiz week (`python -m rag eval --answers --folds 5`, rag/eval/folds.py; README,
"Honest tuning"): never by looking at single questions. `RAG_ANSWER_WEIGHTS` (JSON) sets
any of them, e.g. `RAG_ANSWER_WEIGHTS='{"min_score": 0.45}'`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AnswerWeights(BaseModel):
    """How sentences are scored and ranked, which are quoted, and when the archive is said
    not to answer (rag/answer/evidence.py, quotes.py, scope.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A sentence's score: (1 - keyword) x embedding similarity + keyword x the share of the
    # question's topic words it holds. Below min_score the archive does not answer.
    keyword: float = Field(default=0.3, ge=0, le=1)
    min_score: float = 0.40
    # Its rank adds: new_fact if it names someone or something, or gives a number, that the
    # question does not; up to vote if it offers the answer (of the kind asked for) most of
    # the best sentences offer; adds if it offers any answer of that kind (the lead should
    # add what the question lacks, not restate it); article / n for the n-th article.
    new_fact: float = Field(default=0.1, ge=0)
    vote: float = Field(default=0.05, ge=0)
    adds: float = Field(default=0.0, ge=0)
    article: float = Field(default=0.3, ge=0)
    # A "who"/"which team" answer must be a word of a name spaCy found in the sentence at
    # ingest (rag/ingest/reading.py) rather than any capitalized word. Off: measured, it lost
    # a question on subset-1k (spaCy's small model misses names the pattern finds).
    names: bool = False
    # Its rank adds typed if it names something of the kind a "which X" / "who" / "where"
    # question asks for (which show -> a work, which airline -> an organisation, spaCy's
    # labels at ingest) that the question does not name.
    typed: float = Field(default=0.1, ge=0)
    # Supporting quotes rank within margin of the lead; each story gives at most per_story
    # of them (a further one must add a name or number the quotes so far lack); all quotes
    # together hold at most `words` words (0: no budget, max_quotes alone limits them).
    margin: float = Field(default=0.3, ge=0)
    per_story: int = Field(default=3, ge=1)
    # A supporting quote of another story than the lead's comes from an article whose text
    # read holds support_named of the question's words by rarity (0: any article).
    support_named: float = Field(default=0.7, ge=0)
    words: int = Field(default=0, ge=0)
    # The period check (rag/answer/scope.py): an article published up to slack_days before
    # the period a question names counts as in it; a sentence scoring sure_score or more
    # answers even from outside the period (above 1: never).
    slack_days: int = Field(default=3, ge=0)
    sure_score: float = 2.0
    # ... and what was read of such an article must name what the question asks about:
    # hold `named` of the question's words, weighted by rarity (0: off).
    named: float = Field(default=0.38, ge=0, le=1)
    # A question naming a period is answered from that period's reports first: a sentence
    # of an article published outside it ranks `outside` lower.
    outside: float = Field(default=0.3, ge=0)


DEFAULT = AnswerWeights()
