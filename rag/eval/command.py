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
        fixed = dict(_fixed(item) for item in args.fix)
        questions = load_questions(args.questions)[: args.limit]
        files = corpus_files(args.articles, args.subset)
        facts = load_facts(args.questions)[: args.limit] if args.verify else None
        rows = run_eval(
            settings, files, questions, args.k, args.answers or bool(args.folds), bar,
            args.baseline, facts,
            retrieval=not args.no_retrieval, folds=args.folds or 0, fixed=fixed,
        )  # fmt: skip
    weights = {n.removeprefix(WEIGHTS): r for n, r in rows.items() if n.startswith(WEIGHTS)}
    print(format_table({n: r for n, r in rows.items() if not n.startswith(WEIGHTS)}))
    if weights:
        print("\nweights chosen\n" + format_table(weights))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _fixed(item: str) -> tuple[str, float]:
    """NAME=VALUE of --fix, as (name, value)."""
    from rag.eval.folds import GRID

    name, _, value = item.partition("=")
    if name.strip() not in GRID:
        raise SystemExit(f"error: --fix {item}: the weights are {', '.join(GRID)}")
    try:
        number = float(value)
    except ValueError:
        raise SystemExit(f"error: --fix {item}: the value must be a number") from None
    return name.strip(), int(number) if number.is_integer() else number
