"""Shared pieces of the benchmark harness: workloads, data, thread pinning, result lines.

Imported by ``run.py`` (the driver) and ``worker.py`` (one engine per subprocess). This module
imports only the standard library and NumPy, so importing it does not disturb what a worker
measures about the engine it loads afterwards.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MNIST_CSV = os.environ.get(
    "NEURONA_BENCH_MNIST", os.path.join(os.path.dirname(REPO), "shared", "data", "mnist_5k.csv.gz"))
RESULT_PREFIX = "@@RESULT "


@dataclasses.dataclass(frozen=True)
class Workload:
    """One benchmark workload of the speed issue."""

    key: str
    name: str
    rows: int
    batch_size: int
    data: str              # "synthetic" or "mnist"
    # epochs timed after the warm-up epoch: (default, quick)
    epochs: tuple
    description: str


WORKLOADS = {
    "W1": Workload("W1", "wine MLP", 1_600, 256, "synthetic", (15, 5),
                   "Dense 11-512-512-512-1 relu, MAE, Adam"),
    "W2": Workload("W2", "tabular MLP", 10_000, 32, "synthetic", (3, 2),
                   "Dense 30-64-32-1 sigmoid, binary CE, Adam"),
    "W3": Workload("W3", "MNIST MLP", 20_000, 128, "mnist", (3, 2),
                   "Dense 784-512-Dropout(0.2)-512-10 softmax, CE, Adam"),
    "W4": Workload("W4", "MNIST CNN", 5_000, 128, "mnist", (3, 2),
                   "Conv32 3x3-MaxPool2-Conv64 3x3-MaxPool2-Dense128-10 softmax, CE, Adam"),
    "W6": Workload("W6", "text LSTM", 1_600, 32, "synthetic text", (2, 1),
                   "Embedding 10k x 128 - LSTM 64 - Dense 1 sigmoid on sequences of 200 tokens, "
                   "binary CE, Adam"),
    "W7": Workload("W7", "Transformer block", 1_600, 32, "synthetic sequences", (2, 1),
                   "MultiHeadAttention 2x32 + residual + LayerNorm, FFN 128 + residual + "
                   "LayerNorm on (128, 64), GlobalAveragePooling1D, Dense 1 sigmoid, binary CE, "
                   "Adam"),
}

#: W6's vocabulary and sequence length, W7's sequence length and model width
TEXT_VOCAB, TEXT_STEPS = 10_000, 200
SEQ_STEPS, SEQ_WIDTH = 128, 64

# Dense layer widths of the MLP workloads (input first); used by the floor and the memory model.
MLP_WIDTHS = {"W1": [11, 512, 512, 512, 1], "W2": [30, 64, 32, 1], "W3": [784, 512, 512, 10]}

ENGINES = ["neurona", "torch", "torch-fused", "keras-jax", "keras-tensorflow", "keras-torch", "sklearn", "floor"]


# --------------------------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------------------------

def thread_env(threads: int) -> dict:
    """Environment variables that cap every engine's thread pools at ``threads``.

    Set in the subprocess's environment before the interpreter starts, so that libraries
    which read them only at load time (OpenBLAS, MKL, oneDNN, TensorFlow) see them.
    """
    n = str(threads)
    return {
        "OMP_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n, "MKL_NUM_THREADS": n,
        "BLIS_NUM_THREADS": n, "VECLIB_MAXIMUM_THREADS": n, "NUMEXPR_NUM_THREADS": n,
        "TF_NUM_INTRAOP_THREADS": n, "TF_NUM_INTEROP_THREADS": "1",
        # Honoured by older XLA CPU runtimes; the current one sizes its pool from the CPU
        # affinity mask, which the worker also sets (see pin_process).
        "XLA_FLAGS": ("--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
                      if threads == 1 else ""),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
    }


def pin_process(threads: int, affinity: bool) -> list:
    """Restrict this process to the first ``threads`` CPUs (before any engine is imported)."""
    if not affinity or not hasattr(os, "sched_setaffinity"):
        return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    cpus = sorted(os.sched_getaffinity(0))[:threads]
    os.sched_setaffinity(0, cpus)
    return cpus


def limit_numpy_threads(threads: int):
    """threadpoolctl limit on NumPy's BLAS (and any OpenMP pool); returns the controller."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=threads)


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------

def _mnist_cache_path() -> str:
    return os.path.join(tempfile.gettempdir(), "neurona_bench_mnist5k.npz")


def load_mnist_5k():
    """(pixels uint8 (5000, 784), labels int64 (5000,)); cached as .npz after the first parse."""
    import numpy as np
    cache = _mnist_cache_path()
    if os.path.exists(cache):
        with np.load(cache, allow_pickle=False) as z:
            return z["x"], z["y"]
    with gzip.open(MNIST_CSV, "rt") as fh:
        raw = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    x = raw[:, :784].astype(np.uint8)
    y = raw[:, 784].astype(np.int64)
    tmp = cache + f".{os.getpid()}.tmp.npz"
    np.savez(tmp, x=x, y=y)
    os.replace(tmp, cache)
    return x, y


def make_data(key: str, seed: int = 0):
    """Float32 inputs and targets of workload ``key``.

    W1/W2 are synthetic (random Gaussian features, targets from a fixed random function);
    W3/W4 are the 5,000-image MNIST subset scaled to [0, 1] (tiled to 20,000 rows for W3).
    Images are NHWC (rows, 28, 28, 1) for W4. W6 is int32 token ids with a Zipf-like
    frequency (as words in text), labelled by whether "positive" ids outnumber "negative"
    ones; W7 is Gaussian sequences (rows, 128, 64) labelled by the sign of a fixed projection
    of their mean.
    """
    import numpy as np
    rng = np.random.default_rng(seed)
    wl = WORKLOADS[key]
    if key == "W6":
        ids = np.minimum(rng.zipf(1.3, (wl.rows, TEXT_STEPS)), TEXT_VOCAB - 1).astype(np.int32)
        score = np.isin(ids % 97, (3, 5, 7)).sum(axis=1) - np.isin(ids % 97, (11, 13)).sum(1)
        y = (score > np.median(score)).astype(np.float32)
        return ids, y.reshape(-1, 1)
    if key == "W7":
        x = rng.standard_normal((wl.rows, SEQ_STEPS, SEQ_WIDTH), dtype=np.float32)
        w = rng.standard_normal((SEQ_WIDTH,), dtype=np.float32)
        y = (x.mean(axis=1) @ w > 0).astype(np.float32)
        return x, y.reshape(-1, 1)
    if key == "W1":
        x = rng.standard_normal((wl.rows, 11), dtype=np.float32)
        w = rng.standard_normal((11,), dtype=np.float32)
        y = (np.tanh(x @ w) + 0.1 * rng.standard_normal(wl.rows)).astype(np.float32)
        return x, y.reshape(-1, 1)
    if key == "W2":
        x = rng.standard_normal((wl.rows, 30), dtype=np.float32)
        w = rng.standard_normal((30,), dtype=np.float32)
        y = ((x @ w + rng.standard_normal(wl.rows)) > 0).astype(np.float32)
        return x, y.reshape(-1, 1)
    px, labels = load_mnist_5k()
    reps = -(-wl.rows // px.shape[0])
    idx = np.tile(np.arange(px.shape[0]), reps)[: wl.rows]
    x = px[idx].astype(np.float32) / np.float32(255.0)
    y = labels[idx]
    if key == "W4":
        x = x.reshape(-1, 28, 28, 1)
    return x, y


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------

def emit(**fields):
    """Print one result as a JSON line the driver picks out of the worker's stdout."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(fields) + "\n")
    sys.stdout.flush()


def short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def median(values):
    v = sorted(values)
    n = len(v)
    if n == 0:
        return float("nan")
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])
