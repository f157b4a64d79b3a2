"""Figures without pyplot: a ``matplotlib.figure.Figure`` built directly needs no display and
no global figure registry, so plotting works headless (servers, CI) and in notebooks alike."""

import math
import os


def _matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("neurona.plotting needs matplotlib: pip install 'neurona[plot]'") \
            from None
    return Figure


def new_figure(n_axes=1, ncols=None, panel=(4.6, 3.6), layout="constrained"):
    """A Figure with ``n_axes`` panels on a grid (``ncols`` wide); returns (fig, [axes])."""
    Figure = _matplotlib()
    ncols = min(n_axes, ncols or n_axes)
    nrows = math.ceil(n_axes / ncols)
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows), layout=layout)
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for extra in axes[n_axes:]:
        fig.delaxes(extra)
    return fig, axes[:n_axes]


def target_axes(ax, panel=(5.0, 4.2)):
    """(fig, ax): the given Axes and its figure, or a new one-panel Figure."""
    if ax is None:
        fig, (ax,) = new_figure(1, panel=panel)
        return fig, ax
    if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {ax!r}")
    return ax.figure, ax


def finish(fig, path=None, dpi=100):
    """Save ``fig`` when ``path`` is given (PNG, or the format its extension names: .pdf,
    .svg, ...); returns ``fig``."""
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path (str or os.PathLike), got path={path!r}")
        folder = os.path.dirname(os.fspath(path))
        if folder and not os.path.isdir(folder):
            raise FileNotFoundError(f"cannot save to path={os.fspath(path)!r}: folder "
                                    f"{folder!r} does not exist; create it first")
        fig.savefig(path, dpi=dpi)  # the format follows the extension, PNG without one
    return fig
