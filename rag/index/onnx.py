"""The bundled model as int8 ONNX: exported locally from its weights on first use, cached.

Measured on this 2-core CPU (392 news chunks): 1.5x the chunks/s of PyTorch fp32, mean
cosine 0.993 to its vectors. Weights are quantized per channel with reduced range, which
CPUs without VNNI need: plain int8 was as fast but drifted to cosine 0.95.

sentence-transformers' own ONNX backend needs optimum, whose current release pins
transformers < 4.58 (we run 5.x), so the export and pooling are done here (mean pooling
and normalization, as the model's 1_Pooling config says).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
from filelock import FileLock

from rag.index.embeddings import Encoder, cpu_has_fast_bf16


def export_onnx(model_dir: Path, target: Path) -> None:
    """Export the model (its last hidden state, fp32) to ONNX, into `target`."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class LastHidden(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    sample = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)(
        ["an example", "a longer example sentence"], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.onnx")
    torch.onnx.export(
        LastHidden(model),
        tuple(sample[n] for n in names),
        str(partial),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
        opset_version=17,
        dynamo=False,
    )
    partial.replace(target)  # appears whole or not at all


def export_int8(model_dir: Path, target: Path) -> None:
    """Export the model to ONNX and quantize its weights to int8, into `target`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = target.with_suffix(".fp32.onnx")
    export_onnx(model_dir, fp32)
    partial = target.with_suffix(".partial")
    quantize_dynamic(
        str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
    )
    fp32.unlink()
    partial.replace(target)  # appears whole or not at all


class Exported(Encoder):
    """The bundled model run outside PyTorch: its tokenizer and settings read from its
    folder, mean pooling as its 1_Pooling config says."""

    def __init__(self, model_dir: Path, batch_size: int) -> None:
        from transformers import AutoTokenizer

        super().__init__()
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{model_dir} does not use mean pooling; use RAG_EMBED_BACKEND=torch")
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.max_length = int(config.get("max_seq_length", 256))
        self.batch_size = batch_size
        self.name = model_dir.name
        self.dimension = int(pooling["word_embedding_dimension"])


class OnnxEmbedder(Exported):
    """int8 ONNX Runtime (weights quantized per channel)."""

    def __init__(self, model_dir: Path, cache_dir: Path, batch_size: int = 32) -> None:
        import onnxruntime as ort

        super().__init__(model_dir, batch_size)
        path = cache_dir / f"{model_dir.name}-int8.onnx"
        with FileLock(str(path) + ".lock"):
            if not path.exists():
                export_int8(model_dir, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.name = f"{model_dir.name}-int8"  # as Settings.embedding_name

    def hidden(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, encoded)[0]


class OpenVinoEmbedder(Exported):
    """OpenVINO on the CPU, in bfloat16 where the CPU computes it natively (AMX or AVX-512
    BF16), else fp32: cosine to PyTorch fp32 above 0.9999 either way, so its vectors are
    the PyTorch ones' (same embedding name; an archive need not be embedded again).

    OpenVINO's Python package reports usage over the network from its first import (and
    writes a client id under ~/intel) unless a consent file or a CI variable says no; it is
    imported here only with its consent check answering no (`_openvino`)."""

    def __init__(
        self, model_dir: Path, cache_dir: Path, batch_size: int = 32, bf16: str = "auto"
    ) -> None:
        ov = _openvino()
        super().__init__(model_dir, batch_size)
        path = cache_dir / f"{model_dir.name}-fp32.onnx"
        with FileLock(str(path) + ".lock"):
            if not path.exists():
                export_onnx(model_dir, path)
        self.bf16 = cpu_has_fast_bf16() if bf16 == "auto" else bf16.lower() in ("1", "true")
        core = ov.Core()
        config = {"INFERENCE_PRECISION_HINT": "bf16" if self.bf16 else "f32",
                  "PERFORMANCE_HINT": "LATENCY"}  # fmt: skip
        self.compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
        self._local = threading.local()  # an infer request serves one thread at a time

    def hidden(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        return request.infer(encoded)[0].copy()


def _openvino():  # noqa: ANN202
    """The openvino module, its telemetry declined before it is imported (it sends an event
    on import when no consent file exists)."""
    from openvino_telemetry.utils.opt_in_checker import ConsentCheckResult, OptInChecker

    OptInChecker.check = lambda self, *args, **kwargs: ConsentCheckResult.DECLINED
    import openvino

    return openvino
