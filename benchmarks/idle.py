"""Idle CPU of the app with a browser tab open: the project's settings against Streamlit's
default file watcher, in the same run.

    python benchmarks/idle.py [--seconds 30]

Each setting launches `streamlit run app.py` on a free loopback port (seeded data dir),
opens it in Debian's headless Chromium, waits for the chat box, lets it settle, then reads
the app process's CPU time (/proc, user + system) over `--seconds` of doing nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port, wait_until_up  # noqa: E402
from tests.e2e.test_browser import CHROMIUM_FLAGS  # noqa: E402

SETTINGS = {
    "Streamlit default (file watcher on), baseline": ["--server.fileWatcherType", "auto"],
    "ours (.streamlit/config.toml: no file watcher)": [],
}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(extra: list[str], seconds: float, data: Path) -> float:
    """Share of one core the app used while a tab sat open for `seconds`."""
    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(data), "RAG_SEED_DIR": str(ROOT / "seeds")}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    app = subprocess.Popen(cmd + extra, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(app, url + "/_stcore/health", "the app")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=CHROMIUM_FLAGS)  # fmt: skip
            page = browser.new_page()
            page.goto(url)
            page.locator("[data-testid=stChatInput] textarea").wait_for(timeout=240_000)
            time.sleep(5)  # let the first run settle
            before, start = cpu_seconds(app.pid), time.monotonic()
            time.sleep(seconds)
            used = cpu_seconds(app.pid) - before
            elapsed = time.monotonic() - start
            browser.close()
        return used / elapsed
    finally:
        app.terminate()
        app.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in SETTINGS.items():
            rows.append((name, idle_cpu(extra, args.seconds, Path(tmp) / "data")))
    base = rows[0][1]
    print(f"{'app, one tab open, idle':<48} {'CPU % of a core':>16} {'x baseline':>11}")
    for name, share in rows:
        ratio = share / base if base else float("nan")
        print(f"{name:<48} {100 * share:>16.1f} {ratio:>11.2f}")


if __name__ == "__main__":
    main()
