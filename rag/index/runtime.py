"""Which runtime embeds on this CPU (`RAG_EMBED_BACKEND=auto`, the default).

CPUs differ from machine to machine (AVX2 only; AVX-512 with VNNI and BF16; AMX), and so
does the fastest way to run the model. On first use a short calibration run times each
runtime whose vectors are the PyTorch ones (PyTorch, OpenVINO: cosine above 0.9999, one
embedding name, so the choice never makes an archive embed again) on the same texts, and
keeps the faster. The choice is remembered per CPU in the machine's cache folder, with the
rates measured, and `RAG_EMBED_BACKEND` forces one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.index.embeddings import Encoder, embed_passages

log = logging.getLogger("rag")
CANDIDATES = ("torch", "openvino")
_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")


def cpu_signature() -> str:
    """The CPU as far as the runtimes care: its model name, cores and vector extensions."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith("model name")), "unknown CPU")  # fmt: skip
    words = set(info.split())
    flags = [f for f in _FLAGS if f in words]
    return " ".join([name, f"{os.cpu_count() or 1} cores", *flags])


def choose(make: Callable[[str], Encoder], memory: Path) -> tuple[str, Encoder]:
    """The remembered runtime for this CPU, or the faster of the candidates, timed now."""
    cpu = cpu_signature()
    known = _read(memory)
    remembered = known.get(cpu, {}).get("backend")
    if remembered in CANDIDATES:
        try:
            return remembered, make(remembered)
        except Exception as e:  # uninstalled since, say: choose again
            log.warning("embedding runtime %s, chosen before, cannot load: %s", remembered, e)
    rates: dict[str, float] = {}
    best: tuple[str, Encoder] | None = None
    for name in CANDIDATES:
        try:
            encoder = make(name)
        except Exception as e:  # a runtime that cannot load here is not a candidate
            log.warning("embedding runtime %s is not usable on this machine: %s", name, e)
            continue
        rates[name] = texts_per_second(encoder)
        if best is None or rates[name] > rates[best[0]]:
            best = (name, encoder)
    if best is None:
        raise RuntimeError("no embedding runtime could be loaded")
    known[cpu] = {"backend": best[0], "texts_per_s": rates,
                  "measured": dt.date.today().isoformat()}  # fmt: skip
    _write(memory, known)
    log.info("embedding with %s, the faster here (%s texts/s); remembered in %s", best[0],
             ", ".join(f"{n} {r:.1f}" for n, r in rates.items()), memory)  # fmt: skip
    return best


def texts_per_second(encoder: Encoder, rounds: int = 2) -> float:
    """Passages of news length (60 to 200 words) embedded per second, the best of `rounds`
    after one warm-up; the words are the model's own vocabulary, so any text would do."""
    vocabulary = sorted(w for w in encoder.tokenizer.get_vocab() if w.isalpha() and len(w) > 3)
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(vocabulary, size=n)) for n in (60, 120, 200) * 8]
    spans = [[(0, len(t))] for t in texts]
    embed_passages(encoder, texts[:4], spans[:4])
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        embed_passages(encoder, texts, spans)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def _read(memory: Path) -> dict:
    try:
        found = json.loads(memory.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write(memory: Path, known: dict) -> None:
    try:
        memory.parent.mkdir(parents=True, exist_ok=True)
        partial = memory.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(known, indent=2) + "\n", encoding="utf-8")
        partial.replace(memory)
    except OSError as e:  # a read-only home: choose again next time
        log.warning("could not remember the embedding runtime in %s: %s", memory, e)
