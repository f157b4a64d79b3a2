"""Progress display for fit/evaluate/predict (Keras's ``ProgbarLogger`` look)."""

import sys
import time

from .callback import Callback


def _format_logs(logs):
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}"
                      for k, v in logs.items())


class ProgbarLogger(Callback):
    """Prints progress: a bar updated at most every 0.1 s (verbose=1) or one line per epoch
    (verbose=2). The bar is redrawn in place on a terminal and printed once per epoch otherwise.

    Args:
        verbose: 1 (bar) or 2 (one line per epoch).
        stream: where to write (default ``sys.stdout``).
    """

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream
        self._last = 0.0

    def _out(self):
        return self.stream or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._last = 0.0
        epochs = self.params.get("epochs")
        if self.verbose == 1:
            self._out().write(f"Epoch {epoch + 1}/{epochs}\n")

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose != 1 or not self._interactive():
            return
        now = time.perf_counter()
        if now - self._last < 0.1:
            return
        self._last = now
        self._draw(batch + 1, logs, final=False)

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params.get("steps")
        if self.verbose == 1:
            self._draw(steps, logs, final=True)
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self._epoch_start
            self._out().write(f"Epoch {epoch + 1}/{self.params.get('epochs')} - {elapsed:.1f}s - "
                              f"{_format_logs(logs or {})}\n")
        self._out().flush()

    def _interactive(self):
        isatty = getattr(self._out(), "isatty", None)
        return bool(isatty and isatty())

    def _draw(self, done, logs, final):
        steps = self.params.get("steps") or done
        width = 20
        filled = int(width * done / steps) if steps else width
        bar = "━" * filled + " " * (width - filled)
        elapsed = time.perf_counter() - self._epoch_start
        text = f"{done}/{steps} {bar} {elapsed:.1f}s"
        if logs:
            text += " - " + _format_logs(dict(logs))
        end = "\n" if final else ""
        prefix = "\r" if self._interactive() else ""
        self._out().write(prefix + text + end)
