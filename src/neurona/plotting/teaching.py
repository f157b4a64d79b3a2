"""The course's teaching pictures, computed by the engine itself: activation functions with
their derivatives (from autograd's backward pass), optimizer paths on a 2-D loss surface
(neurona's optimizers on a neurona Variable) and gradient descent with several learning rates.
"""

import math

import numpy as np

from ._figure import finish, new_figure

COURSE_ACTIVATIONS = ("step", "linear", "sigmoid", "tanh", "relu")
# activations that mix the entries of a vector: no elementwise curve to draw
_NOT_ELEMENTWISE = ("softmax", "log_softmax", "crelu")


def activation_curve(name, x):
    """An activation and its derivative at the points ``x``, the derivative from backward().

    Args:
        name: a registered activation name ("relu", "sigmoid", ...).
        x: the points, a 1-D array.

    Returns:
        (values, derivatives): two float64 NumPy arrays shaped like ``x``.

    Example:
        >>> f, df = activation_curve("relu", [-1.0, 2.0])
        >>> f.tolist(), df.tolist()
        ([0.0, 2.0], [0.0, 1.0])
    """
    from .. import activations
    from .. import functions as F
    from ..autograd import Tensor

    if name in _NOT_ELEMENTWISE:
        raise ValueError(f"activation {name!r} is not elementwise, so it has no curve to draw; "
                         f"pick another (e.g. {', '.join(COURSE_ACTIVATIONS)})")
    fn = activations.get(name)
    x = Tensor(np.asarray(x, dtype="float64"), requires_grad=True)
    y = fn(x)
    # d/dx_i of sum_j f(x_j) is f'(x_i) for an elementwise f
    F.sum(y).backward()
    grad = np.zeros(x.shape) if x.grad is None else x.ops.to_numpy(x.grad)
    return np.asarray(y.numpy(), "float64"), np.asarray(grad, "float64")


def plot_activations(names=None, x_range=(-5.0, 5.0), num=401, path=None):
    """Each activation and its derivative, one panel per function.

    Args:
        names: activation names (default the course's: step, linear, sigmoid, tanh, relu).
        x_range: (low, high) interval of the inputs.
        num: number of points.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).

    Returns:
        The matplotlib Figure: one Axes per activation, each with two lines (f and f').

    Example:
        >>> fig = plot_activations(["sigmoid", "relu"])
        >>> [len(ax.lines) for ax in fig.axes]
        [2, 2]
    """
    names = list(COURSE_ACTIVATIONS if names is None else
                 ([names] if isinstance(names, str) else names))
    if not names:
        raise ValueError("names is empty; pass activation names such as ['relu', 'tanh']")
    low, high = x_range
    if not low < high or not isinstance(num, int) or num < 2:
        raise ValueError(f"need x_range=(low, high) with low < high and an integer num >= 2, "
                         f"got x_range={x_range!r}, num={num!r}")
    x = np.linspace(low, high, num)
    fig, axes = new_figure(len(names), ncols=3, panel=(4.0, 3.0))
    for ax, name in zip(axes, names):
        f, df = activation_curve(name, x)
        ax.plot(x, f, label=f"{name}(x)")
        ax.plot(x, df, linestyle="--", label=f"{name}'(x) (backward)")
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return finish(fig, path)


# -- optimizers on a ravine -----------------------------------------------------------------
def ravine(x, y):
    """The 2-D loss surface of the optimizer pictures: ``0.1 x^2 + 2 y^2``, an elongated bowl
    (20 times steeper across than along) with its minimum 0 at the origin."""
    return 0.1 * x ** 2 + 2.0 * y ** 2


def _default_optimizers():
    from .. import optimizers

    # rates chosen so each method reaches the minimum in about 100 steps and shows its habit:
    # plain SGD zig-zags across the ravine, momentum overshoots and settles, the adaptive
    # methods rescale each coordinate
    return {
        "SGD": optimizers.SGD(learning_rate=0.4),
        "momentum": optimizers.SGD(learning_rate=0.4, momentum=0.5),
        "AdaGrad": optimizers.Adagrad(learning_rate=1.5),
        "RMSProp": optimizers.RMSprop(learning_rate=0.1),
        "Adam": optimizers.Adam(learning_rate=0.3),
    }


def optimizer_paths(optimizers=None, start=(-5.0, -2.0), steps=100):
    """Run optimizers on :func:`ravine` from ``start`` and record every point they visit.

    Each optimizer updates a neurona ``Variable`` holding (x, y) with gradients from
    ``loss.backward()``, exactly as it would update a layer's weights.

    Args:
        optimizers: dict of display name -> fresh neurona Optimizer (default: SGD, momentum,
            AdaGrad, RMSProp and Adam at rates that suit the surface).
        start: the common starting point (x, y).
        steps: number of updates.

    Returns:
        dict of name -> (steps + 1, 2) array of the points, the start first.

    Example:
        >>> paths = optimizer_paths(steps=100)
        >>> bool(np.linalg.norm(paths["Adam"][-1]) < 0.1)
        True
    """
    from .. import functions as F
    from ..autograd import Variable
    from ..optimizers import Optimizer

    optimizers = _default_optimizers() if optimizers is None else optimizers
    if not isinstance(optimizers, dict) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty dict of name -> Optimizer, got "
                         f"{optimizers!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got steps={steps!r}")
    start = np.asarray(start, dtype="float64")
    if start.shape != (2,) or not np.isfinite(start).all():
        raise ValueError(f"start must be a finite point (x, y), got start={start.tolist()!r}")
    paths = {}
    for name, opt in optimizers.items():
        if not isinstance(opt, Optimizer):
            raise TypeError(f"optimizers[{name!r}] must be a neurona Optimizer, got {opt!r}")
        point = Variable(start.copy(), name="xy")
        visited = [start.copy()]
        for _ in range(steps):
            loss = F.sum(ravine(point[0], point[1]))
            loss.backward()
            opt.apply([point.grad], [point])
            point.grad = None
            visited.append(point.numpy().astype("float64"))
        paths[name] = np.stack(visited)
    return paths


def plot_optimizer_paths(optimizers=None, start=(-5.0, -2.0), steps=100, path=None):
    """The paths of several optimizers on the contour map of an elongated bowl.

    Args:
        optimizers: dict of display name -> fresh neurona Optimizer (default: SGD, momentum,
            AdaGrad, RMSProp, Adam).
        start: the common starting point (x, y).
        steps: number of updates.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).

    Returns:
        The matplotlib Figure: one Axes with one line per optimizer over the contours.

    Example:
        >>> fig = plot_optimizer_paths(steps=30)
        >>> len(fig.axes[0].lines)
        5
    """
    paths = optimizer_paths(optimizers, start, steps)
    points = np.concatenate([p[np.isfinite(p).all(axis=1)] for p in paths.values()])
    reach = max(np.abs(points).max(axis=0).max() * 1.1, 1.0)
    fig, (ax,) = new_figure(1, panel=(7.5, 4.5))
    gx, gy = np.meshgrid(np.linspace(-reach, reach, 200), np.linspace(-reach / 2, reach / 2, 120))
    ax.contour(gx, gy, ravine(gx, gy), levels=15, cmap="Greys", alpha=0.6)
    for name, visited in paths.items():
        ax.plot(visited[:, 0], visited[:, 1], marker=".", markersize=3, linewidth=1,
                label=f"{name} (end {np.linalg.norm(visited[-1]):.2g} from min)")
    ax.set_title(f"optimizer paths on f(x, y) = 0.1x² + 2y², {steps} steps")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize="small", loc="upper right")
    return finish(fig, path)


# -- learning rates -------------------------------------------------------------------------
def descend(rate, w0=1.0, tol=1e-3, max_steps=200):
    """Gradient descent with neurona's SGD on ``f(w) = w^2`` until ``|w| <= tol``.

    Each step is ``w <- w - rate * 2w = (1 - 2 rate) w``: it converges for
    ``0 < rate < 1``, oscillates forever at ``rate = 1`` and diverges above.

    Args:
        rate: the learning rate.
        w0: the starting weight.
        tol: how close to the minimum counts as reached.
        max_steps: give up after this many steps.

    Returns:
        (steps, trajectory): the number of steps to reach ``|w| <= tol`` (None if never:
        oscillating or diverging) and the visited weights, ``w0`` first. A diverging run
        stops once ``|w|`` exceeds ``1e6 * |w0|``.

    Example:
        >>> descend(0.25, w0=1.0, tol=0.1)[0]
        4
    """
    from .. import functions as F
    from ..autograd import Variable
    from ..optimizers import SGD

    for arg, value in (("rate", rate), ("w0", w0), ("tol", tol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ValueError(f"{arg} must be a finite number, got {arg}={value!r}")
    if rate <= 0 or tol <= 0:
        raise ValueError(f"rate and tol must be positive, got rate={rate!r}, tol={tol!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be a positive integer, got max_steps={max_steps!r}")
    w = Variable(np.array([float(w0)]), name="w")
    opt = SGD(learning_rate=rate)
    trajectory = [float(w0)]
    for step in range(1, max_steps + 1):
        if abs(trajectory[-1]) <= tol:
            return step - 1, np.asarray(trajectory)
        F.sum(w * w).backward()
        opt.apply([w.grad], [w])
        w.grad = None
        trajectory.append(float(w.numpy()[0]))
        if abs(trajectory[-1]) > 1e6 * max(abs(w0), tol):
            return None, np.asarray(trajectory)
    return (max_steps if abs(trajectory[-1]) <= tol else None), np.asarray(trajectory)


def plot_learning_rates(rates=(0.03, 0.1, 1.0), w0=1.0, tol=1e-3, max_steps=200, path=None):
    """Gradient descent on ``f(w) = w^2`` with each learning rate: too small crawls, a good
    one converges quickly, too large oscillates or diverges.

    Args:
        rates: the learning rates to compare.
        w0: the starting weight.
        tol: ``|w| <= tol`` counts as having reached the minimum.
        max_steps: the most steps per run.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).

    Returns:
        The matplotlib Figure: one panel per rate with the parabola and the visited points,
        and a last panel of ``|w_t|`` against t for all rates (log scale). Its ``steps``
        attribute holds the step counts, a dict rate -> steps to reach the minimum (None when
        it never does); :func:`descend` gives one run's count and trajectory.

    Example:
        >>> fig = plot_learning_rates((0.1, 1.0))
        >>> fig.steps
        {0.1: 31, 1.0: None}
    """
    rates = [rates] if isinstance(rates, (int, float)) else list(rates)
    if not rates:
        raise ValueError("rates is empty; pass learning rates such as (0.03, 0.1, 1.0)")
    runs = {rate: descend(rate, w0, tol, max_steps) for rate in rates}
    fig, axes = new_figure(len(rates) + 1, ncols=min(len(rates) + 1, 4), panel=(4.0, 3.2))
    for ax, (rate, (steps, traj)) in zip(axes, runs.items()):
        shown = traj[np.abs(traj) <= 10 * abs(w0)][:60]  # a diverging run: its first steps
        span = max(1.2 * abs(w0), np.abs(shown).max() * 1.1)
        grid = np.linspace(-span, span, 200)
        ax.plot(grid, grid ** 2, color="grey", label="f(w) = w²")
        ax.plot(shown, shown ** 2, marker="o", markersize=3, linewidth=0.8, label="steps")
        if steps is not None:
            verdict = f"minimum in {steps} steps"
        elif abs(traj[-1]) > 1e6 * max(abs(w0), tol):
            verdict = "diverges"
        elif abs(abs(traj[-1]) - abs(w0)) <= 1e-12 * max(abs(w0), 1):
            verdict = "oscillates, never converges"
        else:
            verdict = f"not there after {max_steps} steps"
        ax.set_title(f"learning rate {rate:g}: {verdict}", fontsize="medium")
        ax.set_xlabel("w")
        ax.set_ylabel("loss")
        ax.legend(fontsize="small")
    summary = axes[-1]
    for rate, (steps, traj) in runs.items():
        summary.semilogy(np.arange(len(traj)), np.maximum(np.abs(traj), 1e-300),
                         label=f"rate {rate:g}")
    summary.axhline(tol, color="grey", linestyle=":", label="tolerance")
    summary.set_xlabel("step t")
    summary.set_ylabel("|w_t|")
    summary.set_title("distance to the minimum", fontsize="medium")
    summary.legend(fontsize="small")
    fig.steps = {rate: steps for rate, (steps, _) in runs.items()}
    return finish(fig, path)
