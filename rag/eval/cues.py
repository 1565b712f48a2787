"""Cue words learned from PolNeAR's training months: how often each word form is (part of) an
annotated attribution's cue, of all its occurrences in those articles. Attribution
(rag/ingest/attribution.py) takes as cues the verb forms that are cues often enough.

    python -m rag.eval.cues ../shared/eval/polnear/train            # writes rag/ingest/cues.tsv
    python -m rag.eval.cues ../shared/eval/polnear/train --folds 5  # the share, cross-validated

The share a form must reach (rag/ingest/speech.py: CUE_SHARE) is chosen by cross-validation
over the training articles: each fold's attributions are found with the forms learned from
the other folds, and the out-of-fold figures are printed per share. The dev month is never
used for it; it stays for the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

from rag.ingest import speech
from rag.ingest.articles import read_article

_WORD = re.compile(r"[a-z]+")


def counts(folder: Path, names: set[str] | None = None) -> dict[str, tuple[int, int]]:
    """Form -> (times in an annotated cue, times in the articles), over `folder`'s articles
    (those named in `names`, when given)."""
    cued: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for line in (folder / "gold.jsonl").read_text().splitlines():
        gold = json.loads(line)
        if names is None or gold["file"] in names:
            cued.update(set(_WORD.findall((gold["cue"] or "").lower())))
    for path in sorted((folder / "articles").glob("*.txt")):
        if names is None or path.name in names:
            seen.update(_WORD.findall(read_article(path).text.lower()))
    return {w: (cued[w], seen[w]) for w in cued if seen[w]}


def write(table: dict[str, tuple[int, int]], path: Path = speech.TABLE) -> None:
    """The forms that can be cues at any share (seen 5 times as one), as speech.table reads."""
    kept = speech.forms(table, 0.0)
    rows = sorted(
        ((w, c, n) for w, (c, n) in table.items() if w in kept), key=lambda r: (-r[1], r[0])
    )
    path.write_text("form\tcued\tseen\n" + "".join(f"{w}\t{c}\t{n}\n" for w, c, n in rows))


def cross_validate(folder: Path, shares: list[float], folds: int = 5) -> list[dict]:
    """Out-of-fold PolNeAR figures (rag/eval/quotes.py) of attribution with the forms each
    fold learns from the others, per share."""
    from rag.eval.quotes import predictions, score

    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines()]
    articles = sorted((folder / "articles").glob("*.txt"))
    names = [a.name for a in articles]
    random.Random(0).shuffle(names)
    parts = [set(names[i::folds]) for i in range(folds)]
    tables = [counts(folder, set(names) - part) for part in parts]
    rows, kept = [], speech.LEARNED
    try:
        for share in shares:
            found = []
            for part, table in zip(parts, tables):
                speech.learn(speech.forms(table, share))
                found += predictions([a for a in articles if a.name in part], lambda: None)
            rows.append({"share": share, **score(gold, found)})
            print(" ".join(f"{k} {v:.3f}" for k, v in rows[-1].items() if k != "articles"))
    finally:
        speech.learn(kept)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="PolNeAR training months (articles/, gold.jsonl)")
    parser.add_argument("--folds", type=int, help="cross-validate the share instead of writing")
    parser.add_argument("--shares", default="0.5,0.4,0.3,0.25,0.2")
    args = parser.parse_args()
    if args.folds:
        cross_validate(args.folder, [float(x) for x in args.shares.split(",")], args.folds)
    else:
        learned = counts(args.folder)
        write(learned)
        print(f"{len(learned)} cue forms from {args.folder} -> {speech.TABLE}")
