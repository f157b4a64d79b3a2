"""Progress display for ``fit``, ``evaluate`` and ``predict`` (Keras's ``ProgbarLogger``).

The bar is redrawn in place ("live") where the output can be rewritten: a terminal, or a
Jupyter notebook (an IPython kernel, detected by ``ipykernel`` being imported; the notebook
renders a carriage return by rewriting the line, as it does for Keras). Anywhere else (a log
file, a pipe, a CI job) each epoch, evaluation or prediction prints one finished line, so logs
do not fill with half-drawn bars.

``verbose=1``::

    Epoch 3/20
     12/100 ━━╸━━━━━━━━━━━━━━━━━━ ETA 1.2s 13ms/step - loss: 0.4321 - mae: 0.5012   (live)
    100/100 ━━━━━━━━━━━━━━━━━━━━━ 1.3s 13ms/step - loss: 0.4102 - mae: 0.4998 - val_loss: ...

``verbose=2`` prints one line per epoch with its time and the ETA of the remaining epochs
(an upper bound when early stopping may end training sooner)::

    Epoch 3/20 - 1.3s - ETA 22s - loss: 0.4102 - mae: 0.4998 - val_loss: 0.4410
"""

import sys
import time

from .callback import Callback

#: the bar's width in characters
BAR_WIDTH = 20
#: the shortest time between two redraws of a live bar (seconds)
REDRAW_INTERVAL = 0.1


def format_duration(seconds):
    """``seconds`` as ``421ms``, ``4.2s``, ``13s``, ``3:05`` or ``1:02:03``.

    Example:
        >>> format_duration(0.4213), format_duration(12.6), format_duration(185)
        ('421ms', '13s', '3:05')
    """
    if seconds < 1:
        return f"{seconds * 1e3:.0f}ms"
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_per_step(seconds):
    """Time per step as ``850us/step``, ``13ms/step`` or ``1.2s/step``."""
    if seconds >= 1:
        return f"{seconds:.1f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def format_logs(logs):
    """``loss: 0.4321 - mae: 0.5012`` (4 decimals, or 4 significant digits below 1e-3)."""
    parts = []
    for key, value in logs.items():
        number = None
        if not isinstance(value, (str, bool)):
            try:
                number = float(value)
            except (TypeError, ValueError):  # an array-valued metric: shown as it is
                pass
        if number is None:
            parts.append(f"{key}: {value}")
        else:
            shown = f"{number:.4f}" if abs(number) >= 1e-3 or number == 0 else f"{number:.4e}"
            parts.append(f"{key}: {shown}")
    return " - ".join(parts)


def draw_bar(done, steps, width=BAR_WIDTH):
    """The bar of ``done`` of ``steps`` steps: ``━━━━╸━━━━`` with the done part first (a
    plain space-padded bar: terminals and notebooks show it without colours)."""
    if not steps:
        return "━" * width
    filled = min(width, int(width * done / steps))
    head = "╸" if filled < width and done < steps else ""
    return "━" * filled + head + " " * (width - filled - len(head))


def live_output(stream):
    """Whether ``stream`` can be redrawn in place: a terminal, or a Jupyter kernel's output."""
    isatty = getattr(stream, "isatty", None)
    try:
        if isatty is not None and isatty():
            return True
    except ValueError:  # a closed stream
        return False
    return "ipykernel" in sys.modules


class ProgbarLogger(Callback):
    """Prints the progress of ``fit`` (per epoch), ``evaluate`` and ``predict``.

    Args:
        verbose: 1 (a bar per epoch or call: live where the output can be redrawn, else one
            line when done) or 2 (one line per epoch). None takes ``verbose`` from the
            ``params`` of the call (as Keras's ``ProgbarLogger()``; "auto" is 1).
        stream: where to write (default: ``sys.stdout`` at the time of writing).

    Example:
        >>> import io, neurona as keras
        >>> model = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.linspace(0.0, 1.0, 64).reshape(-1, 1)
        >>> out = io.StringIO()
        >>> _ = model.fit(x, 2 * x, epochs=2, batch_size=16, verbose=0,
        ...               callbacks=[ProgbarLogger(verbose=2, stream=out)])
        >>> out.getvalue().splitlines()[1].startswith("Epoch 2/2 - ")
        True
    """

    def __init__(self, verbose=None, stream=None):
        super().__init__()
        if verbose not in (None, 1, 2):
            raise ValueError(f"ProgbarLogger: verbose must be 1, 2 or None (from the call), got "
                             f"{verbose!r}")
        self.verbose = verbose
        self.stream = stream
        self._in_fit = False
        self._start = None
        self._train_start = None
        self._epochs_done = 0
        self._last_draw = 0.0
        self._drawn = 0  # the length of the live line on screen (0: none drawn)
        self._seen = 0

    # -- settings -------------------------------------------------------------------------------
    def _out(self):
        return self.stream or sys.stdout

    def _level(self):
        if self.verbose is not None:
            return self.verbose
        level = self.params.get("verbose", 1)
        return 1 if level == "auto" else int(level)

    def _live(self):
        return self._level() == 1 and live_output(self._out())

    def overrides(self, hook):
        """Which batch hooks to call: the ends of batches, for a live bar only (reading a
        batch's logs waits for the device)."""
        return hook.endswith("_batch_end") and self._live()

    def _write(self, text):
        stream = self._out()
        stream.write(text)
        stream.flush()

    # -- one bar (an epoch, an evaluation or a prediction) --------------------------------------
    def _begin(self):
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._drawn = 0
        self._seen = 0

    def _redraw(self, text, end=""):
        """Write ``text`` over the live line (padded to cover a longer previous one)."""
        padded = text.ljust(self._drawn)
        self._write(("\r" if self._drawn else "") + padded + end)
        self._drawn = 0 if end else len(padded)  # what is on screen now

    def _progress(self, batch, logs):
        """Redraw the live bar after ``batch`` (at most every REDRAW_INTERVAL seconds)."""
        self._seen = batch + 1
        steps = self.params.get("steps")
        if not self._live() or self._seen == steps:  # the finished line follows the last one
            return
        now = time.perf_counter()
        if now - self._last_draw < REDRAW_INTERVAL:
            return
        self._last_draw = now
        elapsed = now - self._start
        per_step = elapsed / self._seen
        text = f"{self._counter(self._seen, steps)} {draw_bar(self._seen, steps)}"
        if steps:
            text += f" ETA {format_duration(per_step * max(steps - self._seen, 0))}"
        text += f" {format_per_step(per_step)}"
        if logs is not None:
            shown = format_logs(dict(logs))
            text += f" - {shown}" if shown else ""
        self._redraw(text)

    def _finish(self, logs):
        """The finished line of a bar: every step, the total time, the final logs."""
        steps = self.params.get("steps") or self._seen
        elapsed = time.perf_counter() - self._start
        text = f"{self._counter(steps, steps)} {draw_bar(steps, steps)} {format_duration(elapsed)}"
        if steps:
            text += f" {format_per_step(elapsed / steps)}"
        shown = format_logs(dict(logs or {}))
        if shown:
            text += f" - {shown}"
        self._redraw(text, end="\n")

    @staticmethod
    def _counter(done, steps):
        if not steps:
            return str(done)
        return f"{done:>{len(str(steps))}}/{steps}"

    # -- fit ------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._in_fit = True  # validation inside fit shows no bar of its own
        self._train_start = time.perf_counter()
        self._epochs_done = 0

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._begin()
        if self._level() == 1:
            self._write(f"Epoch {epoch + 1}/{self.params.get('epochs')}\n")

    def on_train_batch_end(self, batch, logs=None):
        self._progress(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._epochs_done += 1
        if self._level() == 1:
            self._finish(logs)
            return
        epochs = self.params.get("epochs")
        elapsed = time.perf_counter() - self._start
        text = f"Epoch {epoch + 1}/{epochs} - {format_duration(elapsed)}"
        left = (epochs or 0) - epoch - 1
        if left > 0 and self._train_start is not None:
            per_epoch = (time.perf_counter() - self._train_start) / self._epochs_done
            text += f" - ETA {format_duration(per_epoch * left)}"
        shown = format_logs(dict(logs or {}))
        self._write(text + (f" - {shown}" if shown else "") + "\n")

    # -- evaluate -------------------------------------------------------------------------------
    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._begin()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._progress(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    # -- predict --------------------------------------------------------------------------------
    def on_predict_begin(self, logs=None):
        self._begin()

    def on_predict_batch_end(self, batch, logs=None):
        self._progress(batch, None)  # the outputs are no logs to show

    def on_predict_end(self, logs=None):
        self._finish(None)
