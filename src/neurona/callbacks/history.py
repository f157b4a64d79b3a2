"""``History``: what ``fit`` returns; ``history.history`` is a dict of per-epoch lists."""

from .callback import Callback


class History(Callback):
    """Records every epoch's logs. ``pd.DataFrame(history.history)`` gives the learning curves.

    Attributes:
        history: dict mapping each logged name ("loss", "val_loss", metrics...) to a list.
        epoch: list of epoch indices.
        best_epoch: set by EarlyStopping to the epoch of the best monitored value.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.best_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def to_frame(self):
        """The history as a pandas DataFrame indexed by epoch, numbered from 1 as ``fit``
        prints them (needs pandas)."""
        import pandas as pd

        frame = pd.DataFrame(self.history)
        if len(frame) == len(self.epoch):
            frame.index = pd.Index([e + 1 for e in self.epoch], name="epoch")
        return frame

    def plot(self, metrics=None, ax=None, log_scale=False, skip_epochs=0, ylabels=None):
        """Learning curves: each logged value with its ``val_`` twin, one panel per name, the
        best epoch marked when EarlyStopping recorded one (needs matplotlib). Epochs are
        numbered from 1, as ``fit`` prints them.

        Args:
            metrics: names to plot (default: "loss" and every metric, without the val_ twins).
            ax: optional matplotlib Axes, or a sequence of them, one per metric.
            log_scale: a logarithmic value axis, so the gap between the training and
                validation curves stays visible after a steep first drop.
            skip_epochs: leave out the first epochs (their large values squash the rest).
            ylabels: ``{name: label}`` for the value axes (default: the name), e.g.
                ``{"mae": "mae (k$)"}``.

        Returns:
            The matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        names = metrics or [k for k in self.history if not k.startswith("val_") and k != "learning_rate"]
        unknown = [n for n in names if n not in self.history]
        if unknown:
            raise ValueError(f"History.plot: {unknown} not logged; logged: {list(self.history)}")
        length = len(self.history[names[0]])
        if isinstance(skip_epochs, bool) or not isinstance(skip_epochs, int) \
                or not 0 <= skip_epochs < length:
            raise ValueError(f"History.plot: skip_epochs must be an integer in [0, {length}) "
                             f"(epochs logged: {length}), got {skip_epochs!r}")
        if ax is None:
            fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.6), squeeze=False)
            axes = list(axes[0])
        else:
            axes = list(ax) if isinstance(ax, (list, tuple)) else [ax]
            fig = axes[0].figure
        epochs = self.epoch if len(self.epoch) == length else list(range(length))
        xs = [e + 1 for e in epochs][skip_epochs:]
        for axis, name in zip(axes, names):
            axis.plot(xs, self.history[name][skip_epochs:], label=f"training {name}")
            if f"val_{name}" in self.history:
                axis.plot(xs, self.history[f"val_{name}"][skip_epochs:],
                          label=f"validation {name}")
            if self.best_epoch is not None and self.best_epoch >= skip_epochs:
                axis.axvline(self.best_epoch + 1, color="grey", linestyle="--",
                             label="best epoch")
            if log_scale:
                axis.set_yscale("log")
            axis.set_xlabel("epoch")
            axis.set_ylabel((ylabels or {}).get(name, name))
            axis.set_title(name + (" (log scale)" if log_scale else "")
                           + (f", from epoch {skip_epochs + 1}" if skip_epochs else ""))
            axis.legend()
        fig.tight_layout()
        return fig
