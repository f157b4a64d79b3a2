"""Time one Adam step: neurona's flat-buffer Adam vs torch.optim.Adam, single thread.

Parameter sets are the dense layers of the benchmark workloads W2 (30-64-32-1, ~4k
parameters) and W1 (11-512-512-512-1, ~530k parameters). Each engine applies the same fixed
float32 gradients; the figure is the median over repeats of the mean time per step, the engines taking turns.

Run: ``python benchmarks/optimizer_step.py [--steps 200] [--repeats 7]``.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MLP_WIDTHS, limit_numpy_threads, median  # noqa: E402

import numpy as np  # noqa: E402


def layer_shapes(widths):
    shapes = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        shapes += [(fan_in, fan_out), (fan_out,)]
    return shapes


def per_step_us(steps_by_label, steps, repeats):
    """Median over ``repeats`` of the mean microseconds per call of each step function.

    The engines take turns within every repeat, so a change of machine load affects all of
    them alike.
    """
    for step in steps_by_label.values():
        for _ in range(max(5, steps // 10)):  # warm-up (first touch, build, caches)
            step()
    means = {label: [] for label in steps_by_label}
    for _ in range(repeats):
        for label, step in steps_by_label.items():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            means[label].append((time.perf_counter() - start) / steps * 1e6)
    return {label: median(values) for label, values in means.items()}


def neurona_step(shapes, rng):
    from neurona import Variable
    from neurona.optimizers import Adam

    variables = [Variable(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-3 for s in shapes]
    opt = Adam()
    return lambda: opt.apply(grads, variables)


def torch_step(shapes, rng, **kwargs):
    import torch

    params = [torch.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
              for s in shapes]
    for p in params:
        p.grad = torch.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 1e-3)
    opt = torch.optim.Adam(params, lr=1e-3, **kwargs)
    return opt.step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    limit_numpy_threads(1)
    engines = [
        ("neurona Adam", neurona_step, {}),
        ("torch Adam (default)", torch_step, {}),
        ("torch Adam foreach=False", torch_step, {"foreach": False}),
        ("torch Adam fused=True", torch_step, {"fused": True}),
    ]
    print(f"numpy {np.__version__}, torch {torch.__version__}, 1 thread, "
          f"{args.steps} steps x {args.repeats} repeats")
    for key in ("W2", "W1"):
        shapes = layer_shapes(MLP_WIDTHS[key])
        n = sum(int(np.prod(s)) for s in shapes)
        print(f"\n{key}: layers {MLP_WIDTHS[key]}, {len(shapes)} tensors, {n:,} parameters")
        steps = {label: make(shapes, np.random.default_rng(0), **kwargs)
                 for label, make, kwargs in engines}
        results = per_step_us(steps, args.steps, args.repeats)
        ours = results["neurona Adam"]
        for label, us in results.items():
            ratio = "" if label == "neurona Adam" else f"   torch/neurona = {us / ours:5.2f}x"
            print(f"  {label:<26} {us:9.1f} us/step{ratio}")


if __name__ == "__main__":
    main()
