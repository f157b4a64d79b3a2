"""Training on data that is not one array in memory: resident memory and loader overlap.

Two measurements of the data-streaming promises (issue 16, section 2):

* ``memmap``: W3's model trains one epoch on a generator over a memory-mapped ``.npy`` file
  (``--gib`` GiB of float32 rows, 784 features; 2 by default) that yields 128-row batches.
  A sampler thread reads ``/proc/self/status`` every 20 ms: the peak of anonymous resident
  memory (``RssAnon``: what the process itself allocated) over the epoch, minus its value
  before ``fit``, is what training added; the file's pages the kernel maps in (``RssFile``) are
  page cache it may drop at any time, shown apart.
* ``workers``: one W3 epoch (20,000 rows, batch 128) from in-memory arrays, and from a
  ``PyDataset`` whose ``__getitem__`` sleeps 5 ms (a slow disk or decoder) before slicing the
  same arrays, with ``workers=1`` and ``workers=2``; the ratio of each epoch time to the
  in-memory one (goal: <= 1.10 with two workers). Median of ``--rounds`` epochs each.

    python benchmarks/data_streams.py                 # both, 2 GiB file, 3 rounds
    python benchmarks/data_streams.py --only workers --rounds 5
    python benchmarks/data_streams.py --only memmap --gib 0.5
"""

import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import make_data  # noqa: E402
from engines import build_keras_model  # noqa: E402

FEATURES, BATCH = 784, 128
SLEEP_S = 0.005


def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


class PeakSampler(threading.Thread):
    """Samples ``RssAnon`` and ``RssFile`` until stopped; keeps the peaks (KiB)."""

    def __init__(self, every_s=0.02):
        super().__init__(daemon=True)
        self.every_s, self.anon, self.file = every_s, 0, 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            self.anon = max(self.anon, _status_kib("RssAnon"))
            self.file = max(self.file, _status_kib("RssFile"))
            time.sleep(self.every_s)

    def stop(self):
        self._stop_event.set()
        self.join()


def _write_memmap(path, rows, seed=0):
    """A float32 ``(rows, 784)`` .npy file written in chunks (never whole in memory)."""
    data = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, FEATURES))
    rng = np.random.default_rng(seed)
    for start in range(0, rows, 8192):
        stop = min(rows, start + 8192)
        data[start:stop] = rng.random((stop - start, FEATURES), dtype=np.float32)
    data.flush()
    del data


def _batches(path, labels):
    data = np.load(path, mmap_mode="r")
    while True:  # Keras's contract: a generator for several epochs never ends
        for start in range(0, len(data), BATCH):
            yield np.array(data[start:start + BATCH]), labels[start:start + BATCH]


def memmap(gib):
    import neurona as keras
    from neurona import layers

    rows = int(gib * 2**30) // (FEATURES * 4)
    labels = (np.arange(rows) % 10).astype(np.int64)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "rows.npy")
        _write_memmap(path, rows)
        model = build_keras_model(keras, layers, "W3")
        model.fit(_batches(path, labels), steps_per_epoch=4, epochs=1, verbose=0)  # warm-up
        before = _status_kib("RssAnon")
        sampler = PeakSampler()
        sampler.start()
        started = time.perf_counter()
        model.fit(_batches(path, labels), steps_per_epoch=-(-rows // BATCH), epochs=1,
                  verbose=0)
        seconds = time.perf_counter() - started
        sampler.stop()
    print(f"memmap: {rows:,} rows ({rows * FEATURES * 4 / 2**30:.2f} GiB float32), one epoch "
          f"of {-(-rows // BATCH):,} batches in {seconds:.1f} s")
    print(f"  anonymous memory added by training: {(sampler.anon - before) / 1024:.1f} MiB "
          f"(peak RssAnon {sampler.anon / 1024:.0f} MiB, before fit {before / 1024:.0f} MiB)")
    print(f"  file pages mapped (page cache, reclaimable): peak RssFile "
          f"{sampler.file / 1024:.0f} MiB")


def _slow_dataset(keras, x, y, workers):
    class SlowBatches(keras.utils.PyDataset):
        """Batches of (x, y) that each take 5 ms more to produce (a slow disk or decoder)."""

        def __len__(self):
            return -(-len(x) // BATCH)

        def __getitem__(self, i):
            time.sleep(SLEEP_S)
            return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]

    return SlowBatches(workers=workers)


def _epoch_seconds(model, **data):
    started = time.perf_counter()
    model.fit(epochs=1, verbose=0, **data)
    return time.perf_counter() - started


def workers(rounds):
    import neurona as keras
    from neurona import layers

    x, y = make_data("W3")
    model = build_keras_model(keras, layers, "W3")
    sources = {
        "in-memory arrays": lambda: dict(x=x, y=y, batch_size=BATCH),
        "PyDataset, 5 ms/batch, workers=1": lambda: dict(x=_slow_dataset(keras, x, y, 1)),
        "PyDataset, 5 ms/batch, workers=2": lambda: dict(x=_slow_dataset(keras, x, y, 2)),
    }
    times = {name: [] for name in sources}
    _epoch_seconds(model, **sources["in-memory arrays"]())  # warm-up
    for _ in range(rounds):  # the sources take turns, so a busy minute hits all of them
        for name, source in sources.items():
            times[name].append(_epoch_seconds(model, **source()))
    base = statistics.median(times["in-memory arrays"])
    print(f"workers: one W3 epoch ({len(x):,} rows, batch {BATCH}), median of {rounds}")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"  {name:34s} {median:6.2f} s  {median / base:5.2f}x in-memory "
              f"(rounds {min(seconds):.2f}-{max(seconds):.2f} s)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("memmap", "workers"))
    parser.add_argument("--gib", type=float, default=2.0, help="size of the memory-mapped file")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.only in (None, "workers"):
        workers(args.rounds)
    if args.only in (None, "memmap"):
        memmap(args.gib)


if __name__ == "__main__":
    main()
