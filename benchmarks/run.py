"""Side-by-side CPU training benchmark: neurona against PyTorch, Keras 3 and scikit-learn.

    python benchmarks/run.py                    # everything, 1 thread, prints the tables
    python benchmarks/run.py --quick            # fewer timed epochs (about half the time)
    python benchmarks/run.py --threads 2        # or --threads 1,2 for both
    python benchmarks/run.py --workloads W1,W3 --engines neurona,torch,floor
    python benchmarks/run.py --write-docs       # also rewrite docs/benchmarks.md

Each engine runs in its own subprocess (``worker.py``), pinned to the same number of threads
(CPU affinity, thread-pool environment variables, threadpoolctl, torch / TensorFlow thread
settings), so Keras picks its backend from KERAS_BACKEND and no engine disturbs another.
Training speed is samples per second over whole ``fit`` epochs after one warm-up epoch
(median of a few epochs), also as a ratio to PyTorch eager and as the fraction of the
matrix-multiply-only floor (the step's GEMMs alone in float32 NumPy). A cell that an engine
cannot run (a layer that does not exist yet, a model scikit-learn cannot express) reads
"n/a" with the reason below the table.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata as md
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import ENGINES, HERE, REPO, RESULT_PREFIX, WORKLOADS, median, thread_env  # noqa: E402

ENGINE_LABELS = {
    "neurona": "neurona (model.fit)",
    "torch": "PyTorch eager (loop)",
    "torch-fused": "PyTorch eager, fused loss",
    "keras-jax": "Keras 3 / JAX",
    "keras-tensorflow": "Keras 3 / TensorFlow",
    "keras-torch": "Keras 3 / PyTorch",
    "sklearn": "scikit-learn MLP",
    "floor": "matmul-only floor (NumPy)",
}
PREDICT_ENGINES = ["neurona", "torch", "keras-jax", "keras-tensorflow", "keras-torch"]
MEMORY_ENGINES = ["neurona", "torch", "keras-jax", "keras-tensorflow", "keras-torch", "sklearn"]
IMPORT_MODULES = ["numpy", "neurona", "torch"]


# --------------------------------------------------------------------------------------------
# running workers
# --------------------------------------------------------------------------------------------

def child_env(threads: int, extra=None) -> dict:
    env = dict(os.environ)
    env.update(thread_env(threads))
    env.pop("KERAS_BACKEND", None)
    if extra:
        env.update(extra)
    return env


def run_worker(engine, mode, args, threads, workloads=None, log=print):
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), "--engine", engine, "--mode", mode,
           "--threads", str(threads)]
    if workloads:
        cmd += ["--workloads", ",".join(workloads)]
    if args.quick:
        cmd.append("--quick")
    if args.epochs:
        cmd += ["--epochs", str(args.epochs)]
    if args.no_affinity:
        cmd.append("--no-affinity")
    t0 = time.perf_counter()
    load0 = loadavg()
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=child_env(threads), capture_output=True,
                              text=True, timeout=args.timeout)
        out, err, rc = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err, rc = f"timed out after {args.timeout} s", "timeout"
    results = []
    for line in out.splitlines():
        if line.startswith(RESULT_PREFIX):
            results.append(json.loads(line[len(RESULT_PREFIX):]))
    wall = time.perf_counter() - t0
    load = {"engine": engine, "mode": "load", "of": mode, "before": load0, "after": loadavg()}
    if rc != 0:
        last = [s for s in (err or "").strip().splitlines() if s.strip()]
        reason = f"worker exited {rc}: {last[-1][:150] if last else 'no message'}"
        done = {r.get("workload") for r in results}
        if mode == "train":
            for key in workloads or []:
                if key not in done:
                    results.append({"engine": engine, "mode": mode, "workload": key,
                                    "error": reason, "traceback": err[-4000:]})
        elif not any(r.get("mode") == mode for r in results):
            results.append({"engine": engine, "mode": mode, "error": reason,
                            "traceback": err[-4000:]})
    log(f"  {engine:<17} {mode:<8} {wall:6.1f} s   load average {load0:.2f} -> "
        f"{load['after']:.2f}")
    return results + [load]


def loadavg():
    """One-minute load average: above the thread count, something else shared the CPUs."""
    try:
        with open("/proc/loadavg") as fh:
            return float(fh.read().split()[0])
    except (OSError, ValueError):
        return float("nan")


class Neighbour:
    """A CPU-bound process (a Python busy loop) pinned to one CPU while it is open: the load
    a user's other program puts on a shared machine. ``with Neighbour(cpu):``."""

    def __init__(self, cpu):
        self.cpu = cpu
        self.proc = None

    def __enter__(self):
        # it stops by itself once the driver is gone (killed drivers leave no busy orphan)
        code = (f"import os\nos.sched_setaffinity(0, [{self.cpu}])\nparent = os.getppid()\n"
                "while os.getppid() == parent:\n    for _ in range(10 ** 6):\n        pass\n")
        self.proc = subprocess.Popen([sys.executable, "-c", code])
        time.sleep(0.2)   # let it take its CPU before the engine starts
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def neighbour_cpu():
    """The CPU the neighbour takes: the last one this process may use (the engines' CPUs are
    the first N, so with N below the core count the neighbour sits on a free core)."""
    return sorted(os.sched_getaffinity(0))[-1]


def import_time(module, threads, repeats=7):
    code = ("import time; t = time.perf_counter(); import " + module +
            "; print(time.perf_counter() - t)")
    samples = []
    for _ in range(repeats):
        p = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=child_env(threads),
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            last = [s for s in p.stderr.strip().splitlines() if s.strip()]
            return {"module": module, "error": last[-1][:150] if last else "failed",
                    "traceback": p.stderr[-4000:]}
        samples.append(float(p.stdout.strip().splitlines()[-1]))
    return {"module": module, "seconds": median(samples[1:]), "samples": samples}


# --------------------------------------------------------------------------------------------
# machine and versions
# --------------------------------------------------------------------------------------------

def machine_info():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    blas = ""
    try:
        import numpy  # noqa: F401 - loads the BLAS that threadpoolctl reports
        import threadpoolctl
        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0].get('internal_api')} {info[0].get('version')} " \
                   f"({info[0].get('architecture')})"
    except Exception:  # noqa: BLE001
        pass
    versions = {}
    for dist in ["neurona", "numpy", "torch", "keras", "jax", "jaxlib", "tensorflow-cpu",
                 "scikit-learn"]:
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = "not installed"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "numpy_blas": blas,
            "versions": versions,
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------

def fmt_int(x):
    return f"{x:,.0f}"


def merge_rounds(rounds):
    """One list of results from several rounds: per engine and workload the median round's
    record, with every round's samples/s under "rounds" (in round order; None for a failed
    round). Other records (thread pins, loads) are kept from every round."""
    if len(rounds) == 1:
        return rounds[0]
    merged, trains = [], {}
    for results in rounds:
        for r in results:
            if r.get("mode") == "train":
                trains.setdefault((r["engine"], r["workload"]), []).append(r)
            else:
                merged.append(r)
    for records in trains.values():
        timed = sorted((r for r in records if "samples_per_s" in r),
                       key=lambda r: r["samples_per_s"])
        chosen = dict(timed[(len(timed) - 1) // 2]) if timed else dict(records[0])
        chosen["rounds"] = [r.get("samples_per_s") for r in records]
        merged.append(chosen)
    return merged


def round_ratio_line(res, workloads):
    """"neurona / PyTorch per round: W1 a-b×, ..." when the results come from several rounds."""
    by = {(r["engine"], r["workload"]): r.get("rounds") for r in res if r.get("mode") == "train"}
    spans = []
    for k in workloads:
        ours, theirs = by.get(("neurona", k)), by.get(("torch", k))
        if not ours or not theirs or len(ours) < 2:
            continue
        ratios = [a / b for a, b in zip(ours, theirs) if a and b]
        if ratios:
            spans.append(f"{k} {min(ratios):.2f}–{max(ratios):.2f}×")
    if not spans:
        return ""
    count = max(len(v) for v in by.values() if v)
    return (f"Each cell is the median of {count} rounds (every engine once per round, in turn). "
            f"neurona ÷ PyTorch eager within each round: " + ", ".join(spans) + ".")


def train_table(res, workloads, engines, notes):
    """Markdown table: samples/s (ratio to PyTorch eager, fraction of the matmul floor)."""
    by = {(r["engine"], r["workload"]): r for r in res if r.get("mode") == "train"}

    def ok(e, k):
        r = by.get((e, k))
        return r if r and "samples_per_s" in r else None

    head = "| engine | " + " | ".join(f"{k} {WORKLOADS[k].name} (batch {WORKLOADS[k].batch_size})"
                                      for k in workloads) + " |"
    lines = [head, "|---" * (len(workloads) + 1) + "|"]
    for e in engines:
        cells = []
        for k in workloads:
            r = by.get((e, k))
            if r is None:
                cells.append("not run")
            elif r.get("same_as") == "torch":
                cells.append("= plain loop")
            elif "error" in r:
                notes.append(f"{ENGINE_LABELS[e]}, {k}: {r['error']}")
                cells.append(f"n/a [{len(notes)}]")
            elif e == "floor":
                cells.append(f"{fmt_int(r['samples_per_s'])} ({r['gflop_step']:.3g} GFLOP/step)")
            else:
                parts = []
                t, f = ok("torch", k), ok("floor", k)
                if t and e != "torch":
                    parts.append(f"{r['samples_per_s'] / t['samples_per_s']:.2f}×")
                if f:
                    parts.append(f"{100 * r['samples_per_s'] / f['samples_per_s']:.0f}% floor")
                cells.append(fmt_int(r["samples_per_s"]) + (f" ({', '.join(parts)})" if parts
                                                            else ""))
        lines.append(f"| {ENGINE_LABELS[e]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def loss_line(res, workloads, engines):
    """One line: each engine's training loss after its timed epochs (a sanity check)."""
    by = {(r["engine"], r["workload"]): r for r in res if r.get("mode") == "train"}
    items = []
    for e in engines:
        vals = []
        for k in workloads:
            r = by.get((e, k)) or {}
            if r.get("final_loss") is not None:
                vals.append(f"{k} {r['final_loss']:.3g}")
        if vals:
            items.append(f"{ENGINE_LABELS[e].split(' (')[0]}: " + ", ".join(vals))
    return ("Training loss at the last timed epoch (sanity check; scikit-learn's W1 loss is half "
            "the squared error): " + "; ".join(items) + ".") if items else ""


def extras_tables(res, imports, notes):
    out = []
    if imports:
        out.append("| import | seconds (median of 6, fresh interpreter) |")
        out.append("|---|---|")
        for r in imports:
            if "error" in r:
                notes.append(f"import {r['module']}: {r['error']}")
                out.append(f"| `import {r['module']}` | n/a [{len(notes)}] |")
            else:
                goal = " (goal ≤ 0.35)" if r["module"] == "neurona" else ""
                out.append(f"| `import {r['module']}` | {r['seconds']:.3f}{goal} |")
        out.append("")
    pred = [r for r in res if r.get("mode") == "predict"]
    if pred:
        out.append("W2's model (30-64-32-1), inference; `predict` with its default batch size, "
                   "direct call `model(x)` converted to a NumPy array:")
        out.append("")
        out.append("| engine | predict, 1 row | model(x), 1 row | predict, 100,000 rows | "
                   "model(x), 100,000 rows |")
        out.append("|---|---|---|---|---|")
        for r in pred:
            label = ENGINE_LABELS[r["engine"]].split(" (")[0]
            if "error" in r:
                notes.append(f"{label}, predict: {r['error']}")
                out.append(f"| {label} | n/a [{len(notes)}] | | | |")
                continue

            def us(key):
                return f"{r[key] * 1e6:,.0f} µs" if key in r else "—"

            def ms(key):
                return f"{r[key] * 1e3:,.1f} ms" if key in r else "—"
            goal = " (goal ≤ 100)" if r["engine"] == "neurona" else ""
            out.append(f"| {label} | {us('predict_1')}{goal} | {us('call_1')} | "
                       f"{ms('predict_big')} | {ms('call_big')} |")
        out.append("")
    mem = [r for r in res if r.get("mode") == "memory"]
    if mem:
        req = next((r["required"] for r in mem if "required" in r), None)
        if req:
            out.append(f"Peak memory of training W3 for one epoch (peak RSS minus RSS after "
                       f"imports). Arrays it must hold: {req['total'] / 2**20:.1f} MiB = data "
                       f"{req['data'] / 2**20:.1f} + weights, gradients and Adam's two slots "
                       f"{req['params_x4'] / 2**20:.1f} + one batch's activations "
                       f"{req['batch_activations'] / 2**20:.1f}.")
            out.append("")
        out.append("| engine | peak growth | × arrays it must hold |")
        out.append("|---|---|---|")
        for r in mem:
            label = ENGINE_LABELS[r["engine"]].split(" (")[0]
            if "error" in r:
                notes.append(f"{label}, memory: {r['error']}")
                out.append(f"| {label} | n/a [{len(notes)}] | |")
                continue
            goal = " (goal ≤ 2×)" if r["engine"] == "neurona" else ""
            out.append(f"| {label} | {r['peak_growth'] / 2**20:,.1f} MiB | "
                       f"{r['peak_growth'] / r['required']['total']:.2f}×{goal} |")
        out.append("")
    return "\n".join(out)


def kept_line(report, block):
    """Under a neighbour: each engine's speed as a fraction of its own speed without one (the
    same rounds, interleaved), per workload."""
    if block.get("neighbour") is None:
        return ""
    quiet = next((b for b in report["runs"] if b["threads"] == block["threads"]
                  and b.get("neighbour") is None), None)
    if quiet is None:
        return ""
    rate = {}
    for which, b in (("quiet", quiet), ("busy", block)):
        for r in b["results"]:
            if r.get("mode") == "train" and "samples_per_s" in r:
                rate[which, r["engine"], r["workload"]] = r["samples_per_s"]
    items = []
    for e in block["engines"]:
        cells = [f"{k} {100 * rate['busy', e, k] / rate['quiet', e, k]:.0f}%"
                 for k in report["workloads"] if ("busy", e, k) in rate and ("quiet", e, k) in rate]
        if cells and e != "floor":
            items.append(f"{ENGINE_LABELS[e].split(' (')[0]}: " + ", ".join(cells))
    if not items:
        return ""
    return ("Speed kept with the neighbour, as a fraction of the same engine's speed without it "
            "(rounds with and without it alternate): " + "; ".join(items) + ".")


def render(report, with_threads_header=True):
    parts = []
    notes = []
    for block in report["runs"]:
        if with_threads_header:
            title = f"{block['threads']} thread{'s' if block['threads'] > 1 else ''}"
            if block.get("neighbour") is not None:
                title += f", a busy neighbour process on CPU {block['neighbour']}"
            parts.append(f"### {title}")
            parts.append("")
            kept = kept_line(report, block)
            if kept:
                parts.append(kept)
                parts.append("")
            loads = [v for r in block.get("loads", []) for v in (r["before"], r["after"])]
            if loads:
                parts.append(f"One-minute load average around the workers: {min(loads):.2f} to "
                             f"{max(loads):.2f} (above {block['threads']}, other processes "
                             f"shared the CPUs and the figures are noisier).")
                parts.append("")
            pins = block.get("pins", {})
            if pins:
                parts.append("Pinning: " + "; ".join(f"{e}: cpus {v['cpus']}"
                                                     + (f", {v['knobs']}" if v['knobs'] else "")
                                                     for e, v in pins.items()))
                parts.append("")
        if any(r.get("mode") == "train" for r in block["results"]):
            parts.append("Training samples/s (ratio to PyTorch eager, fraction of the "
                         "matmul-only floor):")
            parts.append("")
            parts.append(train_table(block["results"], report["workloads"], block["engines"],
                                     notes))
            parts.append("")
            spread = round_ratio_line(block["results"], report["workloads"])
            if spread:
                parts.append(spread)
                parts.append("")
            parts.append(loss_line(block["results"], report["workloads"], block["engines"]))
            parts.append("")
        extra = extras_tables(block["results"], block.get("imports"), notes)
        if extra:
            parts.append(extra)
    if notes:
        parts.append("Cells marked n/a:")
        parts.append("")
        parts.extend(f"{i}. {n}" for i, n in enumerate(notes, 1))
        parts.append("")
    return "\n".join(parts)


def machine_lines(m, command):
    v = m["versions"]
    return [
        f"- Machine: {m['nproc']} cores (`nproc`), {m['cpu']}, {m['memory']} RAM, {m['os']}",
        f"- Python {m['python']}; NumPy {v['numpy']} ({m['numpy_blas']}); neurona {v['neurona']}",
        f"- Peers: PyTorch {v['torch']}, Keras {v['keras']} on JAX {v['jax']} (jaxlib "
        f"{v['jaxlib']}) / TensorFlow {v['tensorflow-cpu']} (tensorflow-cpu) / PyTorch, "
        f"scikit-learn {v['scikit-learn']}",
        f"- Command: `{command}`; measured {m['date']}",
    ]


DOC_HEAD = """# Benchmarks

CPU training speed of neurona side by side with its peers, from the harness in `benchmarks/`
(see `benchmarks/README.md`). Rerun with `python benchmarks/run.py --write-docs --rounds 3` to
refresh this page; `--quick` takes about half the time.

Workloads (all trained with `model.fit` or its equivalent: shuffled mini-batches, Adam at
lr 1e-3, timed over whole epochs with `perf_counter` after one warm-up epoch, median of a few
epochs):

| | model | data | rows | batch |
|---|---|---|---|---|
| W1 wine | Dense 11→512→512→512→1 relu, MAE | synthetic float32 (Gaussian features, noisy tanh target) | 1,600 | 256 |
| W2 tabular | Dense 30→64→32→1 sigmoid, binary CE | synthetic float32 (Gaussian features, noisy linear labels) | 10,000 | 32 |
| W3 MNIST MLP | Dense 784→512→Dropout 0.2→512→10 softmax, CE | MNIST 5k subset in [0, 1], tiled ×4 | 20,000 | 128 |
| W4 MNIST CNN | Conv 32 3×3 → MaxPool 2 → Conv 64 3×3 → MaxPool 2 → Dense 128 → 10, CE | MNIST 5k subset | 5,000 | 128 |
| W6 text LSTM | Embedding 10k×128 → LSTM 64 → Dense 1 sigmoid, binary CE | synthetic int32 token ids (Zipf-like, sequences of 200) | 1,600 | 32 |
| W7 Transformer block | MultiHeadAttention 2 heads × 32 + residual + LayerNorm → FFN 128 + residual + LayerNorm → GlobalAveragePooling1D → Dense 1 sigmoid | synthetic float32 sequences (128, 64) | 1,600 | 32 |

How to read the table: samples/s of training; in brackets the ratio to PyTorch eager on the
same workload and the fraction of the *matmul-only floor*, the rate allowed by the step's
matrix products alone (forward `x@W`, backward `x.T@dz` and `dz@W.T`, im2col GEMMs for the
convolutions; the first layer's input gradient is left out since no engine computes it),
timed in float32 NumPy at the same thread count. An engine whose GEMMs beat NumPy's OpenBLAS
(XLA's or oneDNN's kernels) can pass 100%.

Peers: PyTorch eager is the plain loop a PyTorch user writes (`randperm`, index, `zero_grad`,
forward, `nn.L1Loss` / `nn.BCELoss` after an `nn.Sigmoid` layer / `nn.CrossEntropyLoss` on
logits, backward, `Adam.step`); the row "PyTorch eager, fused loss" moves the sigmoid into
`BCEWithLogitsLoss` (it differs on W2 only; "= plain loop" elsewhere). Keras 3
runs the identical Keras code as neurona (`keras.Sequential([...])`, `compile(optimizer="adam",
...)`, `fit`) on each backend with its defaults (JAX and TensorFlow compile the step with XLA).
scikit-learn is `MLPRegressor`/`MLPClassifier` (`partial_fit` per epoch, float32, `alpha=0`):
W1 uses squared error (it has no MAE), W3 has no dropout, W4, W6 and W7 cannot be expressed.
PyTorch's W6 is `nn.Embedding` → `nn.LSTM` → `nn.Linear` on the last hidden state, its W7
`nn.MultiheadAttention` with the same residuals, `nn.LayerNorm` and mean pooling.
Threads: each engine runs in its own process restricted to the same number of CPUs
(`sched_setaffinity`; the current XLA CPU runtime sizes its pool from it), with
`OMP/OPENBLAS/MKL_NUM_THREADS`, threadpoolctl, `torch.set_num_threads`, and TensorFlow's
intra-op threads set to that number (inter-op 1).

Neighbour: with `--neighbour` every round also trains each engine while a CPU-bound process
(a Python busy loop) holds the last CPU, the rounds with and without it alternating; the
"speed kept" line under such a table is each engine's speed there as a fraction of its own
speed without the neighbour. On this shared machine other sessions' test runs are a neighbour
too: the load-average line says how much.

Threads and results: during `fit`, `evaluate` and `predict` neurona runs the BLAS on one thread
and spreads the work itself over a small thread pool (one thread per CPU of the process's
affinity mask; `neurona.backend.get_ops().set_threads(n)` changes it): Dense products above
8 MFLOP cut into row or column blocks decided by the shape alone, the convolution + pooling
cache blocks, and Adam's pass over the flat buffer in 128 Ki-element chunks. Each chunk is
claimed by whichever thread is free, so a core taken by another process delays one chunk
instead of every product. Because the cuts never depend on the thread count, a neurona
`fit` gives the same bits on 1 thread and on all cores (tested). What changes with the thread
count: the timings; and for the peers, their results (PyTorch's and OpenBLAS's own threaded
kernels split reductions by thread count). Calling NumPy or a layer directly outside
`fit`/`evaluate`/`predict` uses the BLAS's own threads, as NumPy does.

Extras: `import` time in a fresh interpreter (median of 6); W2's model on one row and on
100,000 rows through `predict` (Keras's default batch size of 32) and through a direct call;
peak RSS of a process training W3 for one epoch minus its RSS after imports, against the
arrays training must hold. RSS also counts library code and caches paged in on first use,
which weighs on the large frameworks. On a shared 2-core machine the figures move by 10-30%
from run to run; the load average line says how busy the machine was.
"""


def write_docs(report, path):
    m = report["machine"]
    lines = [DOC_HEAD, "## Latest run", ""]
    lines += machine_lines(m, report["command"])
    lines.append("")
    lines.append(render(report))
    ref = ("Reference figures from the speed issue (same machine type, samples/s): PyTorch "
           "eager 22,080 / 31,449 / 12,156 / 2,788 on W1–W4; Keras-JAX 1.28× / 2.90× / 1.40× "
           "/ 0.27× of that. With 2 cores, small steps are faster and far steadier on one "
           "thread than on two.")
    lines += ["## Reference", "", ref, ""]
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines).rstrip() + "\n")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

def save_json(report, path):
    """Write the raw results to ``path`` ('' for nowhere); True when written."""
    if not path:
        return False
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as fh:
        json.dump(report, fh, indent=1)
    return True


def train_round(args, threads, engines, workloads, neighbour):
    """Every engine trains once, in turn (the floor first, PyTorch second: every other row is
    read against them), with a neighbour process on CPU ``neighbour`` unless it is None."""
    order = [e for e in ["floor", "torch"] if e in engines] + \
            [e for e in engines if e not in ("floor", "torch")]
    if neighbour is not None:
        print(f"  (busy neighbour on CPU {neighbour})", flush=True)
        with Neighbour(neighbour):
            return [r for e in order for r in run_worker(e, "train", args, threads, workloads)]
    return [r for e in order for r in run_worker(e, "train", args, threads, workloads)]


def measure_block(args, threads, engines, workloads, neighbour):
    """One table's block; the extras (import, predict, memory) are measured without a
    neighbour only."""
    block = {"threads": threads, "neighbour": neighbour,
             "engines": [e for e in ENGINES if e in engines], "results": [], "imports": None,
             "pins": {}, "loads": []}
    if neighbour is None and not args.no_extras:
        block["imports"] = [import_time(mod, threads) for mod in IMPORT_MODULES
                            if mod == "numpy" or mod in engines]
        extras = []
        for e in [e for e in PREDICT_ENGINES if e in engines]:
            extras += run_worker(e, "predict", args, threads)
        for e in [e for e in MEMORY_ENGINES if e in engines]:
            extras += run_worker(e, "memory", args, threads)
        add_results(block, extras)
    return block


def add_results(block, results):
    """File worker records into ``block``: thread pins, load averages, measurements."""
    for r in results:
        if r.get("mode") == "threads":
            block["pins"][r["engine"]] = {"cpus": r["cpus"], "knobs": r["knobs"]}
        elif r.get("mode") == "load":
            block["loads"].append(r)
        else:
            block["results"].append(r)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", default="W1,W2,W3,W4,W6,W7",
                   help="comma list of W1..W4, W6, W7")
    p.add_argument("--engines", default=",".join(ENGINES),
                   help="comma list of " + ", ".join(ENGINES))
    p.add_argument("--threads", default="1", help="threads per engine: 1, 2 or 1,2")
    p.add_argument("--quick", action="store_true", help="fewer timed epochs")
    p.add_argument("--rounds", type=int, default=1,
                   help="train every engine this many times, engines in turn, and report each "
                        "one's median round (the shared machine drifts by 10-30%% over minutes; "
                        "rounds spread the drift over all engines)")
    p.add_argument("--epochs", type=int, default=0, help="timed epochs for every workload")
    p.add_argument("--no-extras", action="store_true",
                   help="skip import time, predict latency and memory")
    p.add_argument("--extras-only", action="store_true", help="only import, predict, memory")
    p.add_argument("--no-affinity", action="store_true",
                   help="do not restrict each engine's process to N CPUs")
    p.add_argument("--neighbour", action="store_true",
                   help="also train every engine with a CPU-bound neighbour process on the last "
                        "CPU (rounds with and without it alternate; a table for each)")
    p.add_argument("--timeout", type=int, default=900, help="seconds per worker process")
    p.add_argument("--json", default=os.path.join(HERE, "results", "latest.json"),
                   help="where to save the raw results ('' for nowhere)")
    p.add_argument("--write-docs", action="store_true", help="rewrite docs/benchmarks.md")
    p.add_argument("--from-json", metavar="PATH",
                   help="measure nothing: render a saved results file (with --write-docs)")
    p.add_argument("--show-tracebacks", action="store_true",
                   help="print the traceback of every n/a cell (always for neurona)")
    args = p.parse_args(argv)

    workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for w in workloads:
        if w not in WORKLOADS:
            p.error(f"unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    for e in engines:
        if e not in ENGINES:
            p.error(f"unknown engine {e!r}; choose from {', '.join(ENGINES)}")
    threads_list = [int(t) for t in str(args.threads).split(",")]
    command = "python benchmarks/run.py" + ("" if argv is None and len(sys.argv) == 1 else
                                            " " + " ".join(sys.argv[1:] if argv is None else argv))

    if args.from_json:
        with open(args.from_json) as fh:
            report = json.load(fh)
        print(render(report))
        if args.write_docs:
            write_docs(report, os.path.join(REPO, "docs", "benchmarks.md"))
        return 0
    machine = machine_info()
    print("\n".join(machine_lines(machine, command)))
    report = {"machine": machine, "command": command, "workloads": workloads, "runs": []}
    t_all = time.perf_counter()
    for threads in threads_list:
        print(f"\n== {threads} thread(s) ==", flush=True)
        conditions = [None, neighbour_cpu()] if args.neighbour else [None]
        for cpu in conditions:
            report["runs"].append(measure_block(args, threads, engines, workloads, cpu))
        if not args.extras_only:
            by_condition = {cpu: [] for cpu in conditions}
            for round_index in range(max(1, args.rounds)):
                if args.rounds > 1:
                    print(f"  -- round {round_index + 1} of {args.rounds}", flush=True)
                for cpu in conditions:
                    by_condition[cpu].append(train_round(args, threads, engines, workloads, cpu))
            blocks = [b for b in report["runs"] if b["threads"] == threads]
            for block, cpu in zip(blocks, conditions):
                add_results(block, merge_rounds(by_condition[cpu]))
        save_json(report, args.json)   # after each thread count: a long run keeps what it has

    print()
    print(render(report))
    print(f"total {time.perf_counter() - t_all:.0f} s")
    shown = set()
    for block in report["runs"]:
        for r in block["results"] + (block["imports"] or []):
            if "error" in r and (args.show_tracebacks or r.get("engine") == "neurona"
                                 or r.get("module") == "neurona") and r.get("traceback"):
                if r["traceback"] in shown:
                    continue
                shown.add(r["traceback"])
                print(f"\n--- traceback: {r.get('engine', r.get('module'))} "
                      f"{r.get('workload', r.get('mode', ''))} ---\n{r['traceback'].rstrip()}")
    if save_json(report, args.json):
        print(f"raw results: {os.path.relpath(args.json, REPO)}")
    if args.write_docs:
        path = os.path.join(REPO, "docs", "benchmarks.md")
        write_docs(report, path)
        print(f"wrote {os.path.relpath(path, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
