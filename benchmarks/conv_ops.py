"""Per-layer forward+backward time of workload W4's convolutions and poolings, neurona vs PyTorch.

W4: Conv 32 3x3 relu -> MaxPool 2 -> Conv 64 3x3 relu -> MaxPool 2 on 28x28x1 images, batch 128,
float32, one thread for both engines (threadpoolctl for NumPy's BLAS, torch.set_num_threads(1)).
PyTorch runs NCHW (its native layout) and channels-last memory format, the best of the two is
reported. Each figure is the median of ``--repeats`` forward+backward passes.

    python benchmarks/conv_ops.py [--repeats 20] [--batch 128]
"""

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as TF
from threadpoolctl import threadpool_limits

import neurona.functions as F
from neurona.autograd import Tensor


def median_ms(step, repeats):
    step()  # warm-up: allocations, BLAS initialisation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def neurona_step(fn, arrays):
    def step():
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*tensors)
        out.backward(np.ones(out.shape, dtype=np.float32))
    return step


def torch_step(fn, image, params, channels_last):
    """``image`` NHWC as an NCHW tensor (a permuted view has channels-last memory)."""
    x = torch.from_numpy(image).permute(0, 3, 1, 2)
    x = x if channels_last else x.contiguous()
    params = [torch.from_numpy(p) for p in params]

    def step():
        tensors = [x.detach().requires_grad_()] + [p.detach().requires_grad_() for p in params]
        out = fn(*tensors)
        out.backward(torch.ones_like(out))
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    n = args.batch

    def data(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x1, k1, b1 = data(n, 28, 28, 1), data(3, 3, 1, 32), data(32)
    p1 = data(n, 26, 26, 32)
    x2, k2, b2 = data(n, 13, 13, 32), data(3, 3, 32, 64), data(64)
    p2 = data(n, 11, 11, 64)
    # torch kernels (out, in, kh, kw) as contiguous tensors
    tk1, tk2 = k1.transpose(3, 2, 0, 1).copy(), k2.transpose(3, 2, 0, 1).copy()

    cases = [
        ("conv1 3x3 1->32 relu", lambda x, k, b: F.conv2d(x, k, b, activation="relu"),
         [x1, k1, b1], lambda x, k, b: TF.relu(TF.conv2d(x, k, b)), [x1, tk1, b1]),
        ("maxpool1 2x2 26->13", lambda x: F.max_pool2d(x, 2), [p1],
         lambda x: TF.max_pool2d(x, 2), [p1]),
        ("conv2 3x3 32->64 relu", lambda x, k, b: F.conv2d(x, k, b, activation="relu"),
         [x2, k2, b2], lambda x, k, b: TF.relu(TF.conv2d(x, k, b)), [x2, tk2, b2]),
        ("maxpool2 2x2 11->5", lambda x: F.max_pool2d(x, 2), [p2],
         lambda x: TF.max_pool2d(x, 2), [p2]),
    ]
    print(f"batch {n}, float32, 1 thread, median of {args.repeats} forward+backward passes (ms)")
    print(f"{'layer':26s} {'neurona':>9s} {'torch':>9s} {'ratio':>7s}")
    totals = [0.0, 0.0]
    with threadpool_limits(1):
        for name, ours, our_args, theirs, their_args in cases:
            mine = median_ms(neurona_step(ours, our_args), args.repeats)
            ref = min(median_ms(torch_step(theirs, their_args[0], their_args[1:], cl),
                                args.repeats)
                      for cl in (False, True))
            totals[0] += mine
            totals[1] += ref
            print(f"{name:26s} {mine:9.2f} {ref:9.2f} {mine / ref:7.2f}")
    print(f"{'total':26s} {totals[0]:9.2f} {totals[1]:9.2f} {totals[0] / totals[1]:7.2f}")


if __name__ == "__main__":
    main()
