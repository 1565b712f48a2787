"""How well ingest groups articles into stories (`eval --stories`), on ECB+.

The set is ingested once into a cached archive; the stories are then formed again as
ingest forms them, article by article in file name order with the near-copies the archive
found (in a scratch database, so that the figures are those of the current code, not of
the code that built the cache), and the grouping is compared with `gold.jsonl`: B-cubed
precision, recall and F1 (per article: the share of its predicted story that is in its
gold story, and the reverse, averaged), and the adjusted Rand index. Yardsticks in the same
table: every article its own story, and single-link TF-IDF at its best threshold on this
very set (an oracle, so an upper bound for that method). Topics are also scored in two
halves (even and odd numbers) to show whether one threshold suits both.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.eval.common import cache_dir
from rag.index.stories import Stories, words
from rag.settings import Settings
from rag.text.dates import day_number

# Barhom et al. 2019's document clustering (TF-IDF K-means given the true number of
# stories) on ECB+'s test topics 36-45: B-cubed F1, from the eval README.
PUBLISHED = {"K-means, true k (published, topics 36-45)": {"bcubed_f1": 0.968}}


def bcubed(predicted: list[str], gold: list[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a grouping against the gold one."""
    members_p: dict[str, set[int]] = defaultdict(set)
    members_g: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        members_p[p].add(i)
        members_g[g].add(i)
    precision = recall = 0.0
    for p, g in zip(predicted, gold):
        shared = len(members_p[p] & members_g[g])
        precision += shared / len(members_p[p])
        recall += shared / len(members_g[g])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def adjusted_rand(predicted: list[str], gold: list[str]) -> float:
    """The adjusted Rand index (Hubert and Arabie): 1 for the same grouping, ~0 by chance."""

    def pairs(n: int) -> float:
        return n * (n - 1) / 2

    both = sum(pairs(c) for c in Counter(zip(predicted, gold)).values())
    rows = sum(pairs(c) for c in Counter(predicted).values())
    cols = sum(pairs(c) for c in Counter(gold).values())
    expected = rows * cols / pairs(len(gold))
    top = (rows + cols) / 2
    return (both - expected) / (top - expected) if top != expected else 1.0


def scores(predicted: list[str], gold: list[str], topics: list[int]) -> dict[str, float]:
    p, r, f = bcubed(predicted, gold)
    row = {"bcubed_p": p, "bcubed_r": r, "bcubed_f1": f, "ari": adjusted_rand(predicted, gold)}
    for name, half in (("f1_even", 0), ("f1_odd", 1)):
        kept = [i for i, t in enumerate(topics) if t % 2 == half]
        row[name] = bcubed([predicted[i] for i in kept], [gold[i] for i in kept])[2]
    row["stories"] = len(set(predicted))
    return row


def single_link(texts: list[tuple[str, str]], threshold: float) -> list[str]:
    """Connected groups of articles whose TF-IDF cosine is at least `threshold`."""
    counts = [words(title, text) for title, text in texts]
    df = Counter(w for c in counts for w in c)
    vocab = {w: i for i, w in enumerate(df)}
    matrix = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for row, c in enumerate(counts):
        for w, v in c.items():
            matrix[row, vocab[w]] = v * (math.log((len(texts) + 1) / (df[w] + 1)) + 1)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(1e-9)
    linked = (matrix @ matrix.T) >= threshold
    label = list(range(len(texts)))

    def root(i: int) -> int:
        while label[i] != i:
            label[i] = label[label[i]]
            i = label[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(linked, 1))):
        label[root(int(i))] = root(int(j))
    return [str(root(i)) for i in range(len(texts))]


def regroup(archive, doc_ids: list[str]) -> dict[str, str]:
    """doc_id -> story, formed as ingest forms them, in this order (each once)."""
    db = sqlite3.connect(":memory:")
    stories = Stories(db)
    original = archive.manifest.related.originals(doc_ids)
    out: dict[str, str] = {}
    for doc_id in dict.fromkeys(doc_ids):
        info, text = archive.document(doc_id)
        day = day_number(info.date)
        with db:
            out[doc_id] = stories.write(doc_id, day, info.title, text, original.get(doc_id, ""))
    return out


def evaluate_stories(
    settings: Settings, folder: Path, bar: Callable[..., object]
) -> dict[str, dict[str, float]]:
    from rag.pipeline import Archive

    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line]
    gold.sort(key=lambda g: g["file"])
    files = [folder / "articles" / g["file"] for g in gold]
    data = cache_dir(settings.data_dir / "eval-cache", files, settings)
    archive = Archive(settings.model_copy(update={"data_dir": data, "seed_dir": None}))
    with bar(total=len(files), desc="ingest", unit="file") as progress:
        results = archive.ingest(files, lambda *_: progress.update(1))
    doc_of = {Path(r.path).name: r.doc_id for r in results if r.doc_id}
    story_of = regroup(archive, [doc_of[g["file"]] for g in gold if g["file"] in doc_of])
    kept = [g for g in gold if story_of.get(doc_of.get(g["file"], ""))]
    truth, topics = [g["story"] for g in kept], [g["topic"] for g in kept]
    rows = {"ours (online, at ingest)": scores([story_of[doc_of[g["file"]]] for g in kept],
                                              truth, topics)}  # fmt: skip
    rows["ours (online, at ingest)"]["articles"] = len(kept)
    rows["every article its own story"] = scores([g["file"] for g in kept], truth, topics)
    texts = []
    for g in kept:
        found = archive.document(doc_of[g["file"]])
        texts.append((found[0].title, found[1]) if found else ("", ""))
    best = max(
        (scores(single_link(texts, t), truth, topics) | {"threshold": t}
         for t in np.arange(0.1, 0.9, 0.05)),
        key=lambda row: row["bcubed_f1"],
    )  # fmt: skip
    rows["single-link TF-IDF (best threshold, oracle)"] = best
    return rows | PUBLISHED
