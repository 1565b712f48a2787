"""The API server under load, while an ingest runs, against the CLI's `ask` in the same run.

    python benchmarks/api_load.py --archive DIR --questions FILE.jsonl --ingest FOLDER
        [--clients 20] [--per-client 10] [--new 40]

DIR is an ingested archive (e.g. the one `python -m rag eval` builds under data/eval-cache/
from RealTimeQA subset-1k); it is copied first, so it is never changed. FOLDER holds
articles; the first --new of them the archive does not hold are ingested by a separate
`python -m rag ingest` while the load runs. Rows:

- CLI ask: `python -m rag ask --json` as a user runs it, one process per question (it
  loads the model each time), for the first 5 questions;
- ask in process: Archive.ask() in a warmed-up process, every question of the load once;
- API: --clients threads, each an `openai` client, --per-client questions each (as of each
  question's date), against `python -m rag serve`: once alone, once while the ingest runs.

Prints requests, errors, p50/p95 latency, the ratio of p50 to the in-process ask, and the
server's peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process(archive: Path, questions: list) -> list[float]:
    code = f"""
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
from rag.eval.common import load_questions
from rag.pipeline import Archive
from rag.settings import Settings
a = Archive(Settings(data_dir={str(archive)!r}, seed_dir=None))
a.ask("warm up the model and the indexes")
ms = []
for q in {[(q.query, q.as_of.isoformat() if q.as_of else None) for q in questions]!r}:
    t = time.perf_counter()
    a.ask(q[0], as_of=__import__("datetime").date.fromisoformat(q[1]) if q[1] else None)
    ms.append((time.perf_counter() - t) * 1000)
print(json.dumps(ms))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_ask(archive: Path, questions: list) -> list[float]:
    ms = []
    for q in questions:
        cmd = [sys.executable, "-m", "rag", "--data-dir", str(archive), "ask", q.query, "--json"]
        if q.as_of:
            cmd += ["--as-of", q.as_of.isoformat()]
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        ms.append((time.perf_counter() - start) * 1000)
    return ms


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load(url: str, questions: list, clients: int, per_client: int) -> tuple[list[float], list]:
    import openai

    ms: list[float] = []
    errors: list[str] = []

    def client(c: int) -> None:
        api = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=600)
        for i in range(per_client):
            q = questions[(c * per_client + i) % len(questions)]
            extra = {"as_of": q.as_of.isoformat()} if q.as_of else {}
            start = time.perf_counter()
            try:
                reply = api.chat.completions.create(
                    model="news-archive",
                    messages=[{"role": "user", "content": q.query}],
                    extra_body=extra,
                )
                if not reply.choices[0].message.content:
                    errors.append("empty answer")
            except openai.OpenAIError as e:
                errors.append(str(e))
            ms.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ms, errors


def main() -> None:
    from rag.eval.common import load_questions, percentile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--ingest", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--new", type=int, default=40, help="articles ingested during the load")
    args = parser.parse_args()
    questions = load_questions(args.questions)[: args.clients * args.per_client]
    with tempfile.TemporaryDirectory() as tmp:
        archive, new = Path(tmp) / "data", Path(tmp) / "new"
        shutil.copytree(args.archive, archive)
        held = {d["source"] for d in json.loads(subprocess.run(
            [sys.executable, "-m", "rag", "--data-dir", str(archive), "docs", "--json"],
            cwd=ROOT, capture_output=True, check=True).stdout)["documents"]}  # fmt: skip
        new.mkdir()
        for path in sorted(p for p in args.ingest.iterdir() if p.name not in held)[: args.new]:
            shutil.copy(path, new / path.name)
        rows = {"CLI ask (a process each)": (cli_ask(archive, questions[:5]), [])}
        rows["ask in process"] = (in_process(archive, questions), [])
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "rag", "--data-dir", str(archive), "serve", "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            rows[f"API, {args.clients} clients, no ingest"] = load(
                url, questions, args.clients, args.per_client
            )
            writer = subprocess.Popen(
                [sys.executable, "-m", "rag", "--data-dir", str(archive), "ingest", str(new)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            )  # fmt: skip
            started = time.perf_counter()
            ms, errors = load(url, questions, args.clients, args.per_client)
            load_s = time.perf_counter() - started
            ingest_done = writer.poll() is not None
            ingest = writer.communicate()[0].strip().splitlines()[-1]
            rows[f"API, {args.clients} clients, during ingest"] = (ms, errors)
            peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    base = percentile(rows["ask in process"][0], 0.5)
    print(f"{'system':38}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p50 ratio':>11}")
    for name, (row, failed) in rows.items():
        p50, p95 = percentile(row, 0.5), percentile(row, 0.95)
        print(f"{name:38}{len(row):>9}{len(failed):>8}{p50:>9.0f}{p95:>9.0f}{p50 / base:>10.2f}x")
    when = "finished before" if ingest_done else "still running when"
    print(f"\nload during ingest: {load_s:.0f} s, {len(ms) / load_s:.2f} answers/s; server peak "
          f"memory {peak:.0f} MB; the ingest: {ingest} ({when} the load ended)")  # fmt: skip
    for e in sorted({e for _, failed in rows.values() for e in failed})[:5]:
        print("error:", e)


if __name__ == "__main__":
    main()
