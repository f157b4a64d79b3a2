"""``History``: what ``fit`` returns; ``history.history`` is a dict of per-epoch lists."""

from .callback import Callback


class History(Callback):
    """Records every epoch's logs. ``pd.DataFrame(history.history)`` gives the learning curves.

    Attributes:
        history: dict mapping each logged name ("loss", "val_loss", metrics...) to a list.
        epoch: list of epoch indices.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []  # a fresh fit starts a fresh record, as in Keras

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def to_frame(self):
        """The history as a pandas DataFrame indexed by epoch (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.history, index=self.epoch[-len(next(iter(self.history.values()), [])):] or None)
