"""Who said what (`eval --quotes DIR`), on PolNeAR: the attributions found at ingest
against the hand-annotated ones, with the metrics of ../shared/eval/README.md (polnear), which
its reference scorer `score.py` computes the same way from the same output.

A predicted quote matches a gold attribution of the same article when their word overlap F1
is at least 0.5 (one-to-one, best overlaps first). Direct P/R/F1: gold contents holding a
quotation mark against predicted quotes holding one; all P/R/F1: every attribution; speaker
accuracy: of the matched pairs whose gold source names someone, the share whose predicted
speaker shares a word with it; end-to-end direct F1: direct quotes matched and, where the
gold source is named, attributed right. Beside it, the yardstick of the README: every
stretch in quotation marks of 4+ words, its speaker the capitalised name nearest a speech
verb in the paragraph.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from rag.ingest.articles import read_article

_STOP = set(
    "the a an he she they it we i you his her their its this that these those who which mr "
    "mrs ms dr of and in on at to for by with said says".split()
)
_MARKS = '“”"'
_VERB = re.compile(r"\b(?:said|says|told|added|according to|wrote|asked|noted)\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def predictions(articles: list[Path], progress: Callable[[], None]) -> list[dict]:
    """Every attribution the ingest step finds in the articles, in `quotes --json` shape
    (the fields the scorer reads)."""
    from rag.ingest.attribution import attributions

    rows = []
    for path in articles:
        text = read_article(path).text
        for a in attributions(text):
            rows.append({"source": path.name, "speaker": a.speaker, "cue": a.cue,
                         "quote": text[a.start : a.end], "direct": a.direct})  # fmt: skip
        progress()
    return rows


def yardstick(articles: list[Path]) -> list[dict]:
    """Quoted stretches of 4+ words, each said by the capitalised name nearest a speech
    verb in its paragraph."""
    rows = []
    for path in articles:
        for paragraph in read_article(path).text.split("\n"):
            speaker = ""
            verb = _VERB.search(paragraph)
            if verb:
                names = [(abs(m.start() - verb.start()), m.group(0))
                         for m in _CAPITALISED.finditer(paragraph)]  # fmt: skip
                speaker = min(names)[1] if names else ""
            for m in re.finditer(r"“[^”]*”|\"[^\"]*\"", paragraph):
                if len(m.group(0).split()) >= 4:
                    rows.append({"source": path.name, "speaker": speaker, "quote": m.group(0)})
    return rows


def score(gold: list[dict], predicted: list[dict]) -> dict[str, float]:
    """The PolNeAR metrics of `predicted` against `gold` (as score.py computes them)."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        by_file[g["file"]].append(g)
    mine: dict[str, list[dict]] = defaultdict(list)
    for p in predicted:
        mine[p["source"].split("/")[-1]].append({"content": p["quote"], "speaker": p["speaker"]})
    t: Counter[str] = Counter()
    for name, golds in by_file.items():
        preds = mine.get(name, [])
        pairs = _match(golds, preds)
        t["all_g"] += len(golds)
        t["all_p"] += len(preds)
        t["all_m"] += len(pairs)
        direct_gold = [g for g in golds if g["direct"]]
        direct_pred = [p for p in preds if any(m in p["content"] for m in _MARKS)]
        direct = _match(direct_gold, direct_pred)
        t["d_g"] += len(direct_gold)
        t["d_p"] += len(direct_pred)
        t["d_m"] += len(direct)
        for g, p in pairs:
            if _named(g["source"]):
                t["sp_n"] += 1
                t["sp_ok"] += _same_speaker(p["speaker"], g["source"])
        t["e2e"] += sum(
            1
            for g, p in direct
            if not _named(g["source"]) or _same_speaker(p["speaker"], g["source"])
        )
    dp, dr, df = _prf(t["d_m"], t["d_p"], t["d_g"])
    ap, ar, af = _prf(t["all_m"], t["all_p"], t["all_g"])
    return {
        "articles": len(by_file),
        "direct P": dp, "direct R": dr, "direct F1": df,
        "all P": ap, "all R": ar, "all F1": af,
        "speaker": t["sp_ok"] / t["sp_n"] if t["sp_n"] else 0.0,
        "e2e direct F1": _prf(t["e2e"], t["d_p"], t["d_g"])[2],
    }  # fmt: skip


def evaluate_quotes(folder: Path, bar: Callable[..., object], out: Path | None = None):
    """The table of `eval --quotes DIR`: ours and the yardstick on DIR's articles (DIR
    holds `articles/` and `gold.jsonl`); `out` also gets our predictions, scorer-ready."""
    gold = [json.loads(line) for line in (folder / "gold.jsonl").read_text().splitlines() if line]
    articles = sorted((folder / "articles").glob("*.txt"))
    with bar(total=len(articles), desc="attributions", unit="article") as progress:
        ours = predictions(articles, lambda: progress.update(1))
    if out is not None:
        predicted = out.with_suffix(".quotes.json")
        predicted.write_text(json.dumps({"quotes": ours}, ensure_ascii=False) + "\n")
        print(f"wrote {predicted}")
    return {
        "ours (spaCy, at ingest)": score(gold, ours),
        "yardstick (quoted stretches)": score(gold, yardstick(articles)),
    }


def _words(s: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", (s or "").lower())


def _overlap(a: str, b: str) -> float:
    ca, cb = Counter(_words(a)), Counter(_words(b))
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / sum(cb.values()), common / sum(ca.values())
    return 2 * p * r / (p + r)


def _match(golds: list[dict], preds: list[dict]) -> list[tuple[dict, dict]]:
    pairs = sorted(
        ((_overlap(g["content"], p["content"]), i, j)
         for i, g in enumerate(golds) for j, p in enumerate(preds)),
        reverse=True,
    )  # fmt: skip
    used_g, used_p, matched = set(), set(), []
    for s, i, j in pairs:
        if s < 0.5:
            break
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        matched.append((golds[i], preds[j]))
    return matched


def _named(source: str | None) -> bool:
    tokens = re.findall(r"[A-Za-z][\w'’.-]*", source or "")
    return any(t[0].isupper() and t.lower().strip(".") not in _STOP for t in tokens)


def _same_speaker(predicted: str, gold: str) -> bool:
    g = {w for w in _words(gold) if w not in _STOP}
    return bool(g & {w for w in _words(predicted) if w not in _STOP})


def _prf(matched: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = matched / predicted if predicted else 0.0
    r = matched / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
