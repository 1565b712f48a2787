"""Cited timelines against journalists' timelines (`eval --timelines`), on Timeline17.

The standard set-up (news-tls): one archive per topic folder (cached); for each gold
timeline, only articles published from its first to its last date; as many dates and
sentences per date as it has. Date-F1: the predicted days against the gold days (exact
day); AR-1 / AR-2: tilse's alignment-based ROUGE-1/2 (align_date_content_costs_many_to_one,
its ROUGE reimplementation). Precision and recall are averaged over the timelines, then F1
is taken of the averages. In the same table: the busiest publication days, each with its
first article's first sentence, ours told on the gold days (how much of the gap is the
choice of days), and the published figures from the eval README.

tilse (and pyrouge, nltk) are evaluation-only: `make eval-deps` installs them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from rag.eval.common import cache_dir
from rag.settings import Settings
from rag.text.sentences import split_sentences
from rag.timeline.render import timeline_json
from rag.types import Filters

# AR-1 / AR-2 / Date-F1 on Timeline17, from the eval README.
PUBLISHED = {
    "DATEWISE (published)": (0.120, 0.035, 0.544),
    "LLM-TLS, Llama-2-13B (published)": (0.118, 0.036, 0.528),
    "SUnSET, Qwen-72B (published)": (0.136, 0.044, 0.576),
    "SUnSET, GPT-4o (published)": (0.120, 0.039, 0.590),
}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(predicted: dict[dt.date, list[str]], gold: dict[dt.date, list[str]]) -> dict:
    """Date and alignment-ROUGE precision and recall of one timeline against its gold one."""
    try:
        from tilse.data.timelines import GroundTruth
        from tilse.data.timelines import Timeline as TilseTimeline
        from tilse.evaluation import rouge
    except ImportError as e:  # evaluation-only dependencies
        raise SystemExit(f"eval --timelines needs tilse: run `make eval-deps` ({e})") from e
    evaluator = rouge.TimelineRougeEvaluator(measures=["rouge_1", "rouge_2"],
                                             rouge_computation="reimpl")  # fmt: skip
    shared = len(set(predicted) & set(gold))
    row = {"date_p": shared / len(predicted) if predicted else 0.0, "date_r": shared / len(gold)}
    if predicted:
        found = evaluator.evaluate_align_date_content_costs_many_to_one(
            TilseTimeline(predicted), GroundTruth([TilseTimeline(gold)])
        )
    else:
        found = {m: {"precision": 0.0, "recall": 0.0} for m in ("rouge_1", "rouge_2")}
    for name, m in (("ar1", "rouge_1"), ("ar2", "rouge_2")):
        row[f"{name}_p"], row[f"{name}_r"] = found[m]["precision"], found[m]["recall"]
    return row


def summarize(rows: list[dict]) -> dict[str, float]:
    """Averages of precision and recall over the timelines, and F1 of the averages."""
    out: dict[str, float] = {"timelines": len(rows)}
    for name in ("ar1", "ar2", "date"):
        p = sum(r[f"{name}_p"] for r in rows) / len(rows)
        r = sum(r[f"{name}_r"] for r in rows) / len(rows)
        out[f"{name.upper() if name != 'date' else 'Date'}-F1"] = _f1(p, r)
    return {"AR-1": out["AR1-F1"], "AR-2": out["AR2-F1"], "Date-F1": out["Date-F1"],
            "timelines": len(rows)}  # fmt: skip


def busiest_days(archive, start: dt.date, end: dt.date, n: int) -> dict[dt.date, list[str]]:
    """The yardstick: the n days most articles were published, each with its first
    article's first sentence."""
    by_day: dict[dt.date, list] = {}
    for d in sorted(archive.documents(), key=lambda d: d.source):
        if d.date and start <= dt.date.fromisoformat(d.date) <= end:
            by_day.setdefault(dt.date.fromisoformat(d.date), []).append(d)
    busiest = sorted(by_day, key=lambda day: (-len(by_day[day]), day))[:n]
    out = {}
    for day in busiest:
        text = archive.document(by_day[day][0].doc_id)[1]
        first = next(iter(split_sentences(text)), None)
        out[day] = [text[first.start : first.end]] if first else []
    return out


def evaluate_timelines(
    settings: Settings,
    folder: Path,
    bar: Callable[..., object],
    out: Path | None = None,
    mixed: bool = False,
) -> dict[str, dict[str, float]]:
    """The table. The standard set-up: each folder its own archive. With `mixed`: all
    folders ingested as one archive, each story's query run on all of it and, beside it,
    kept to its own folder's articles (a site filter: their `t17://<folder>/…` ids), so the
    difference is only what the other stories' articles do."""
    topics = [json.loads(line) for line in (folder / "topics.jsonl").read_text().splitlines()]
    runs = [_Run(mixed=True), _Run(mixed=True, own=True)] if mixed else [_Run()]
    with bar(total=sum(len(t["timelines"]) for t in topics), desc="timelines", unit="tl") as pb:
        if mixed:
            files = sorted(f for t in topics for f in (folder / t["articles"]).iterdir())
            archive = _archive(settings, files, bar, "all folders")
        for topic in topics:
            if not mixed:
                files = sorted((folder / topic["articles"]).iterdir())
                archive = _archive(settings, files, bar, topic["topic"])
            for gold_tl in topic["timelines"]:
                rows = json.loads((folder / gold_tl["file"]).read_text(encoding="utf-8"))
                gold = {dt.date.fromisoformat(r["date"]): r["summary"] for r in rows}
                for run in runs:
                    sites = (topic["topic"].lower(),) if run.own else ()  # t17://<folder>/…
                    run.tell(archive, topic, gold_tl, gold, Filters(sites=sites))
                pb.update(1)
    table: dict[str, dict[str, float]] = {}
    for run in runs:
        table |= run.rows()
    table |= {k: {"AR-1": a, "AR-2": b, "Date-F1": c} for k, (a, b, c) in PUBLISHED.items()}
    for run in runs:
        table |= run.per_topic
    if out is not None:
        outputs = {k: v for run in runs for k, v in run.outputs.items()}
        out.with_suffix(".timelines.json").write_text(json.dumps(outputs, indent=1) + "\n")
    return table


def _archive(settings: Settings, files: list[Path], bar: Callable[..., object], name: str):
    """The cached archive of `files`, ingested (with its own progress bar) where it is not."""
    from rag.pipeline import Archive

    data = cache_dir(settings.data_dir / "eval-cache", files, settings)
    archive = Archive(settings.model_copy(update={"data_dir": data, "seed_dir": None}))
    with bar(total=len(files), desc=f"ingest {name}", unit="file", leave=False) as progress:
        archive.ingest(files, lambda *_: progress.update(1))
    return archive


def story_of(url: str) -> tuple[str, str]:
    """The (story, folder) a Timeline17 article's `t17://<Story>_<outlet>/…` id names."""
    folder = url.removeprefix("t17://").split("/", 1)[0]
    return folder.rsplit("_", 1)[0], folder


class _Run:
    """The gold timelines told one way, their scores and outputs: each folder its own
    archive, or (`mixed`) all in one archive, searched whole or (`own`) kept to the
    story's own folder."""

    def __init__(self, mixed: bool = False, own: bool = False):
        self.mixed, self.own = mixed, own
        self.label = ("own folder only" if own else "mixed archive") if mixed else ""
        self.ours, self.naive, self.given, self.precision = [], [], [], []
        self.per_topic, self.outputs = {}, {}

    def tell(self, archive, topic: dict, gold_tl: dict, gold: dict, filters: Filters) -> None:
        start, end = min(gold), max(gold)
        per_date = gold_tl["sentences_per_date"]
        made = archive.timeline(topic["query"], since=start, until=end, dates=len(gold),
                                per_date=per_date, filters=filters)  # fmt: skip
        predicted = {dt.date.fromisoformat(e.date): e.summary for e in made.entries}
        self.ours.append(score(predicted, gold))
        if not filters.sites:
            self.naive.append(score(busiest_days(archive, start, end, len(gold)), gold))
        told = archive.timeline(topic["query"], since=start, until=end, per_date=per_date,
                                days=sorted(gold), filters=filters)  # fmt: skip
        self.given.append(score({dt.date.fromisoformat(e.date): e.summary
                                 for e in told.entries}, gold))  # fmt: skip
        cited = [story_of(c.url) for e in made.entries for c in e.citations]
        own = (topic["story"], topic["topic"])
        self.precision.append(
            {"story": sum(s == own[0] for s, _ in cited) / len(cited) if cited else 0.0,
             "folder": sum(f == own[1] for _, f in cited) / len(cited) if cited else 0.0}
        )  # fmt: skip
        name = f"{topic['topic']}/{Path(gold_tl['file']).stem}"
        name += f" ({self.label})" if self.label else ""
        self.per_topic[name] = summarize([self.ours[-1]])
        if self.mixed and not self.own:
            self.per_topic[name] |= _precision([self.precision[-1]])
        self.outputs[name] = timeline_json(made)

    def rows(self) -> dict[str, dict[str, float]]:
        if not self.mixed:
            return {"ours (offline, cited)": summarize(self.ours),
                    "busiest days (yardstick)": summarize(self.naive),
                    "ours on the gold days": summarize(self.given)}  # fmt: skip
        rows = {f"ours, {self.label}": summarize(self.ours),
                f"ours on the gold days, {self.label}": summarize(self.given)}  # fmt: skip
        if not self.own:
            rows[f"ours, {self.label}"] |= _precision(self.precision)
        if self.naive:
            rows[f"busiest days, {self.label}"] = summarize(self.naive)
        return rows


def _precision(rows: list[dict]) -> dict[str, float]:
    """Entry precision: the share of cited sentences from the story's own articles (any
    outlet's folder of the same story), and from the timeline's own folder."""
    return {"entry P (story)": sum(r["story"] for r in rows) / len(rows),
            "entry P (folder)": sum(r["folder"] for r in rows) / len(rows)}  # fmt: skip
