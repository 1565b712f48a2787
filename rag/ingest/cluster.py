"""Ingest on a Ray cluster: the costly part of each article (chunking, the model, spaCy:
rag/ingest/prepare.py) runs as Ray Data `map_batches` on the cluster's workers,
each an actor holding the model; this process (the driver) reads the files and writes the
archive as before, one writer under the lock, article by article in the order given, so a
crash leaves what a local ingest's crash leaves.

Articles go to the cluster a window at a time, so a driver reading an export of any size
holds one window. An article stored as it is never leaves the driver; one that was stored
in another version is prepared whole (a worker has no access to the manifest's vector
cache). Ray's usage statistics are turned off before Ray is imported.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from rag.ingest.prepare import Prepared, prepare
from rag.ingest.writer import Preparer
from rag.settings import Settings
from rag.types import Article, FileResult

# What a worker needs of the driver's settings: how to chunk and which runtime to use. The
# model is the one its own machine has installed; the driver checks each article's version
# (which names the model) and prepares it itself if the worker's differs.
_SHARED = ("chunk_max_words", "chunk_overlap_sentences", "embed_backend", "embed_batch_size",
           "embed_bf16")  # fmt: skip
WINDOW = 2048  # articles sent to the cluster at a time (each window starts its actors)
BATCH = 8  # articles per map_batches call


class ClusterError(RuntimeError):
    """The Ray cluster cannot be reached or run the work; says what to do."""


def ray_preparer(settings: Settings, address: str = "", workers: int = 0) -> Preparer:
    """A Preparer (rag/ingest/writer.py) that prepares articles on the Ray cluster at
    `address` ("" starts one on this machine), with `workers` actors (0: one per CPU the
    cluster has)."""
    ray = _connect(address)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    workers = workers or cpus
    threads = max(1, cpus // workers)  # Ray gives an actor as many threads as CPUs
    shared = {f"RAG_{name.upper()}": str(getattr(settings, name)) for name in _SHARED}

    def preparer(read: Iterator, needs: Callable[[Article], bool]) -> Iterator:
        while window := list(islice(read, WINDOW)):
            todo = [i for i, (_, item) in enumerate(window) if _wanted(item, needs)]
            articles = [window[i][1] for i in todo]
            ready = dict(zip(todo, _prepared(ray, articles, shared, workers, threads)))
            for i, (label, item) in enumerate(window):
                yield label, item, ready.get(i)

    return preparer


def _wanted(item: Article | FileResult, needs: Callable[[Article], bool]) -> bool:
    return isinstance(item, Article) and needs(item)


def _prepared(
    ray, articles: list[Article], shared: dict, workers: int, threads: int
) -> list[Prepared]:
    """The articles prepared on the cluster, in their order."""
    if not articles:
        return []
    rows = [{"article": pickle.dumps(a)} for a in articles]
    data = ray.data.from_items(rows, override_num_blocks=min(len(rows), 4 * workers))
    done = data.map_batches(
        _Prepare,
        batch_size=BATCH,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=min(workers, len(rows))),
        num_cpus=threads,
        runtime_env={"env_vars": shared},  # each worker's Settings() reads them
    )
    try:
        return [pickle.loads(row["prepared"]) for row in done.iter_rows()]
    except Exception as e:  # a worker's error arrives wrapped in Ray's own
        raise ClusterError(f"the Ray cluster could not prepare the articles: {e}") from e


class _Prepare:
    """A Ray actor: holds its machine's model and prepares batches of articles."""

    def __init__(self) -> None:
        from rag.backends import Backends

        self.settings = Settings()
        self.embedder = Backends(self.settings).embedder

    def __call__(self, batch: dict) -> dict:
        articles = [pickle.loads(b) for b in batch["article"]]
        return {"prepared": [pickle.dumps(prepare(self.settings, self.embedder, a))
                             for a in articles]}  # fmt: skip


def _connect(address: str):
    """Ray, connected to the cluster at `address` (or a new one on this machine)."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # before Ray is imported: no usage report
    # the cluster checks who is asking: its token (~/.ray/auth_token or RAY_AUTH_TOKEN)
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    try:
        import ray
    except ImportError as e:
        raise ClusterError("Ray is not installed: pip install 'ray[data]'") from e
    if ray.is_initialized():
        return ray
    _reachable(address)
    code = {"py_modules": [str(Path(__file__).resolve().parents[1])]}  # rag/, to each worker
    quiet = {"runtime_env": code, "log_to_driver": False, "logging_level": logging.WARNING}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(include_dashboard=False, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as e:
        where = address or "this machine"
        raise ClusterError(f"cannot reach the Ray cluster at {where}: {e}") from e
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # written in the order given
    context.enable_progress_bars = False  # the ingest's own bar shows progress
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    return ray


def _reachable(address: str) -> None:
    """Fail fast on a head that does not answer (Ray itself keeps retrying for minutes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto", or no address: Ray finds or starts the cluster
    try:
        socket.create_connection((host, int(port)), timeout=10).close()
    except OSError as e:
        raise ClusterError(f"nothing answers at {address} ({e.strerror or e}); start the "
                           f"cluster with `ray start --head` and pass the address it prints"
                           ) from e  # fmt: skip
