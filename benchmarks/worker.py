"""One engine in one process: ``python benchmarks/worker.py --engine torch --mode train ...``.

Started by ``run.py``; prints one ``@@RESULT {json}`` line per measurement, so whatever it
measured before a crash still reaches the driver. Threads are pinned before any engine loads.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import WORKLOADS, emit, limit_numpy_threads, median, pin_process, short_error  # noqa: E402


def pin_engine_threads(engine: str, threads: int) -> str:
    """The engine's own thread knobs, beyond the environment; returns a description."""
    said = []
    if engine in ("torch", "torch-fused", "keras-torch"):
        import torch
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:
            pass
        said.append(f"torch.set_num_threads({threads})")
    if engine == "keras-tensorflow":
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        said.append(f"tf intra_op={threads} inter_op=1")
    return ", ".join(said)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--engine", required=True)
    p.add_argument("--mode", choices=["train", "predict", "memory"], default="train")
    p.add_argument("--workloads", default="W1,W2,W3,W4,W6,W7")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-affinity", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--epochs", type=int, default=0, help="timed epochs (0: per-workload default)")
    a = p.parse_args(argv)

    cpus = pin_process(a.threads, not a.no_affinity)
    limiter = limit_numpy_threads(a.threads)  # noqa: F841 - keeps the limit for the process
    try:
        knobs = pin_engine_threads(a.engine, a.threads)
    except Exception as exc:  # noqa: BLE001 - engine not installed: each row says why
        knobs = ""
        err = short_error(exc)
        for key in a.workloads.split(","):
            emit(engine=a.engine, mode=a.mode, workload=key, error=f"import failed: {err}")
        return 0
    emit(engine=a.engine, mode="threads", cpus=cpus, knobs=knobs)

    import engines as E

    if a.mode == "predict":
        try:
            emit(engine=a.engine, mode="predict", **E.predict_latency(a.engine))
        except Exception as exc:  # noqa: BLE001
            emit(engine=a.engine, mode="predict", error=short_error(exc),
                 traceback=traceback.format_exc())
        return 0
    if a.mode == "memory":
        try:
            emit(engine=a.engine, mode="memory", **E.train_memory(a.engine))
        except Exception as exc:  # noqa: BLE001
            emit(engine=a.engine, mode="memory", error=short_error(exc),
                 traceback=traceback.format_exc())
        return 0

    for key in a.workloads.split(","):
        wl = WORKLOADS[key]
        n_epochs = a.epochs or wl.epochs[1 if a.quick else 0]
        try:
            if a.engine == "floor":
                import numpy as np  # noqa: F401
                t = E.floor_epoch_seconds(key)
                emit(engine="floor", mode="train", workload=key, epoch_s=t,
                     samples_per_s=wl.rows / t, gflop_step=E.step_flops(key, wl.batch_size) / 1e9,
                     method="GEMMs of forward+backward alone, float32 NumPy")
                continue
            if a.engine == "torch-fused" and key not in E.TORCH_FUSED_DIFFERS:
                emit(engine=a.engine, mode="train", workload=key, same_as="torch")
                continue
            if a.engine in ("torch", "torch-fused"):
                times, method, loss = E.train_torch(key, n_epochs, a.engine == "torch-fused")
            elif a.engine == "sklearn":
                times, method, loss = E.train_sklearn(key, n_epochs)
            else:
                times, method, loss = E.train_keras(a.engine, key, n_epochs)
            t = median(times)
            emit(engine=a.engine, mode="train", workload=key, epoch_s=t, epochs=times,
                 samples_per_s=wl.rows / t, method=method, final_loss=loss)
        except Exception as exc:  # noqa: BLE001 - a missing layer is a cell, not a crash
            emit(engine=a.engine, mode="train", workload=key, error=short_error(exc),
                 traceback=traceback.format_exc())
    return 0


if __name__ == "__main__":
    sys.exit(main())
