from __future__ import annotations

import json
import shutil
from pathlib import Path

from rag.search.rerank import CrossEncoderReranker, SentenceReranker, exact_match, key_terms
from rag.settings import Settings
from rag.types import Hit, Span


def _hit(cid: str, title: str, *sentences: str) -> Hit:
    text = " ".join(sentences)
    spans, pos = [], 0
    for s in sentences:
        spans.append(Span(pos, pos + len(s)))
        pos += len(s) + 1
    return Hit(0, 0.0, cid, cid, title, "", "", "", text, 0, len(text), sentences=tuple(spans))


def test_key_terms_are_names_numbers_and_quotes():
    terms = key_terms('How many people did "Operation Sandstorm" move from Uvalde in 2022?')
    assert terms == {"Operation Sandstorm", "Uvalde", "2022"}
    assert key_terms("what did they say?") == set()
    hit = _hit("a", "Uvalde", "In 2022 officials spoke.")
    assert exact_match({"Uvalde", "2022", "Texas"}, hit) == 2 / 3


def test_sentence_reranker_lifts_the_passage_with_the_answering_sentence(embedder):
    hits = [
        _hit("weather", "Storms", "Heavy rain fell across the region on Monday.", "Roads closed."),
        _hit("budget", "Budget", "The council debated spending.", "Libraries may close."),
        _hit("bridge", "Bridge", "Traffic was light.", "The new Kestrel bridge opened to cars."),
    ]
    reranked = SentenceReranker(embedder).rerank("When did the Kestrel bridge open?", hits)
    assert reranked[0].chunk_id == "bridge"
    assert sorted(h.chunk_id for h in reranked) == sorted(h.chunk_id for h in hits)


def test_a_local_cross_encoder_folder_can_be_plugged_in(tmp_path: Path):
    # Wiring only: a cross-encoder folder built from the bundled weights (its scoring head
    # is untrained), loaded from disk like a user's own model would be.
    folder = tmp_path / "cross-encoder"
    shutil.copytree(Settings().embedding_model_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config.update(
        architectures=["BertForSequenceClassification"],
        id2label={"0": "LABEL_0"},
        label2id={"LABEL_0": 0},
    )
    (folder / "config.json").write_text(json.dumps(config))
    hits = [_hit(c, c, f"Passage {c} about ships.") for c in "abc"]
    reranker = CrossEncoderReranker(folder)
    first = [h.chunk_id for h in reranker.rerank("ships", hits)]
    assert sorted(first) == ["a", "b", "c"]
    assert [h.chunk_id for h in reranker.rerank("ships", hits)] == first
