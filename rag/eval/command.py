"""`python -m rag eval …`: which evaluation the arguments ask for (retrieval and answers on
RealTimeQA, conflicts on RGB, stories on ECB+, timelines on Timeline17), its progress bars,
and its table. The command line imports this only for that command."""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial

from tqdm import tqdm

from rag.eval.common import corpus_files, format_table, load_questions
from rag.eval.conflicts import evaluate_conflicts, load_rgb
from rag.eval.retrieval import WEIGHTS, run_eval
from rag.eval.verify import load_facts
from rag.settings import Settings


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    """Run the evaluation the arguments ask for, print its table (and write it to --out)."""
    bar = partial(tqdm, file=sys.stderr)
    if args.quotes:
        from rag.eval.quotes import evaluate_quotes

        rows = evaluate_quotes(args.quotes, bar, args.out)
    elif args.stories:
        from rag.eval.stories import evaluate_stories

        rows = evaluate_stories(settings, args.stories, bar)
    elif args.timelines:
        from rag.eval.timelines import evaluate_timelines

        rows = evaluate_timelines(settings, args.timelines, bar, args.out, args.mixed)
    elif not (args.articles and args.questions):
        print("error: eval needs --articles and --questions (or --quotes, --stories or "
              "--timelines DIR)",
              file=sys.stderr)  # fmt: skip
        return 1
    elif args.conflicts:
        rgb = load_rgb(args.questions)[: args.limit]
        with bar(total=len(rgb), desc="conflicts", unit="q") as progress:
            rows = evaluate_conflicts(settings, args.articles, rgb, lambda: progress.update(1))
    else:
        rows = _on_archives(settings, args, bar)
    weights = {n.removeprefix(WEIGHTS): r for n, r in rows.items() if n.startswith(WEIGHTS)}
    print(_tables({n: r for n, r in rows.items() if not n.startswith(WEIGHTS)}))
    if weights:
        print("\nweights chosen\n" + format_table(weights))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _tables(rows: dict[str, dict]) -> str:
    """The rows as one table per set of columns (retrieval, answers, tuning, archives), in
    the order their first rows came."""
    groups: dict[tuple, dict[str, dict]] = {}
    for name, row in rows.items():
        groups.setdefault(tuple(row), {})[name] = row
    return "\n\n".join(format_table(group) for group in groups.values())


def _on_archives(settings: Settings, args: argparse.Namespace, bar) -> dict[str, dict]:
    """Retrieval and answers on the --subset archive and, unless --no-full, on the whole
    --articles folder (the size a user's archive grows to): each row named after its archive
    ("subset-1k · hybrid", "full · hybrid"), the two side by side. The LangChain baseline and
    the verifier run on the first archive only."""
    fixed = dict(_fixed(item) for item in args.fix)
    questions = load_questions(args.questions)[: args.limit]
    facts = load_facts(args.questions)[: args.limit] if args.verify else None
    archives = [(args.subset.stem, corpus_files(args.articles, args.subset))] if args.subset else []
    if not (args.subset and args.no_full):
        archives.append(("full", corpus_files(args.articles, None)))
    found = {}
    for i, (name, files) in enumerate(archives):
        print(f"{name}: {len(files):,} articles", file=sys.stderr)
        found[name] = run_eval(
            settings, files, questions, args.k, args.answers or bool(args.folds), bar,
            args.baseline and i == 0, facts if i == 0 else None,
            retrieval=not args.no_retrieval, folds=args.folds or 0, fixed=fixed,
        )  # fmt: skip
    if len(found) == 1:
        return next(iter(found.values()))
    rows = {}
    for row in dict.fromkeys(r for table in found.values() for r in table):
        for name, table in found.items():
            if row in table:
                weights = row.startswith(WEIGHTS)
                label = f"{name} · {row.removeprefix(WEIGHTS)}"
                rows[WEIGHTS + label if weights else label] = table[row]
    return rows


def _fixed(item: str) -> tuple[str, float]:
    """NAME=VALUE of --fix, as (name, value)."""
    from rag.eval.folds import GRID, SEARCH_GRID

    name, _, value = item.partition("=")
    if name.strip() not in GRID | SEARCH_GRID:
        names = ", ".join(GRID | SEARCH_GRID)
        raise SystemExit(f"error: --fix {item}: the weights are {names}")
    try:
        number = float(value)
    except ValueError:
        raise SystemExit(f"error: --fix {item}: the value must be a number") from None
    return name.strip(), int(number) if number.is_integer() else number
