"""Start-up: from launching the app on a fresh data dir to its first answer in a browser.

    python benchmarks/startup.py [--runs 2] [--out startup.json]

Launches `streamlit run app.py` on a free loopback port with an empty data dir (so the
seeds are ingested), opens it in Debian's headless Chromium, asks the Blinken question and
waits for citation [1]. Rows: server answering its health check, chat ready, first answer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def one_run() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RAG_DATA_DIR": str(Path(tmp) / "data")}
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        start = time.perf_counter()
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            up = time.perf_counter() - start
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
                page = browser.new_page()
                page.set_default_timeout(300_000)
                page.goto(url)
                box = page.locator("[data-testid=stChatInput] textarea")
                box.wait_for()
                ready = time.perf_counter() - start
                box.fill("what did Blinken say about a summit?")
                box.press("Enter")
                page.get_by_text("[1] Putin Says").first.wait_for()
                answered = time.perf_counter() - start
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"server up s": up, "chat ready s": ready, "first answer s": answered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    rows = {k: {"median": statistics.median(r[k] for r in runs), "max": max(r[k] for r in runs)}
            for k in runs[0]}  # fmt: skip
    for name, row in rows.items():
        print(f"{name:16} median {row['median']:6.1f}   max {row['max']:6.1f}")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
