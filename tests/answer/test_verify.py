"""Claim parsing (pure) and claim verification against real passages with the real model."""

from __future__ import annotations

import pytest

from rag.answer.verify import check, parse_claims


def test_markers_are_parsed_per_sentence_and_out_of_range_ones_dropped():
    text = "Blinken ruled it out [1]. Putin spoke [2][3]. A third point [9]. No source here."
    claims = parse_claims(text, n_passages=3)
    assert [(c, cites) for c, cites, _ in claims] == [
        ("Blinken ruled it out.", (1,)),
        ("Putin spoke.", (2, 3)),
        ("A third point.", ()),
        ("No source here.", ()),
    ]


def test_marker_after_the_full_stop_and_lists_belong_to_their_sentence():
    text = "- Talks start in January. [2]\n- Sanctions were discussed. [1, 3]"
    claims = parse_claims(text, n_passages=3)
    assert [(c, cites) for c, cites, _ in claims] == [
        ("Talks start in January.", (2,)),
        ("Sanctions were discussed.", (1, 3)),
    ]
    assert [line for *_, line in claims] == [0, 1]


@pytest.fixture
def passages(seeded):
    """Passages of the seed article on Blinken, Donfried and NATO, as search returns them."""
    return seeded.search("Blinken summit in-person meeting NATO-Russia Council", k=6, per_doc=6)


def _index(passages, needle: str) -> int:
    return next(i for i, h in enumerate(passages, start=1) if needle in h.text)


def test_a_paraphrase_of_the_cited_passage_is_supported(passages, embedder):
    n = _index(passages, "ruled out an in-person")
    claim = f"Blinken ruled out an in-person meeting between Biden and Putin for now [{n}]."
    checked = check(claim, passages, embedder, min_support=0.6)
    assert checked.claims[0].supported
    # the sentence highlighted for that citation is the one the claim paraphrases
    span = checked.evidence[n]
    hit = passages[n - 1]
    assert "ruled out an in-person" in hit.text[span.start - hit.start : span.end - hit.start]


def test_a_citation_to_the_wrong_passage_is_caught(passages, embedder):
    wrong = next(i for i, h in enumerate(passages, start=1) if "Blinken" not in h.text)
    claim = f"Blinken ruled out an in-person meeting between Biden and Putin for now [{wrong}]."
    assert not check(claim, passages, embedder, min_support=0.6).claims[0].supported


def test_a_changed_number_is_caught_even_when_the_wording_matches(passages, embedder):
    n = _index(passages, "last met in 2019")
    right = check(f"The NATO-Russia Council last met in 2019 [{n}].", passages, embedder, 0.6)
    wrong = check(f"The NATO-Russia Council last met in 2015 [{n}].", passages, embedder, 0.6)
    assert right.claims[0].supported
    assert not wrong.claims[0].supported


def test_a_claim_without_citation_is_unsupported(passages, embedder):
    checked = check("Putin agreed to a summit in Geneva.", passages, embedder, 0.6)
    assert checked.claims[0].citations == ()
    assert not checked.claims[0].supported
