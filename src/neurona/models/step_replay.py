"""When ``fit`` may replay a recorded step instead of running the model eagerly.

A replay (:mod:`neurona.autograd.replay`) repeats the Functions a step ran; it cannot repeat
what a layer does in Python besides them. So it is used only for models whose every layer
declares itself ``traceable`` (:attr:`neurona.layers.Layer.traceable`: its training call is
Functions only, side effects such as batch norm's moving statistics and the noise layers' draws
included), trained with built-in losses and built-in weight penalties. Everything else trains
eagerly, and so does a step whose recordings differ (a loss reduction that computes a sum of
the sample weights in Python, say). Like
Keras's compiled step, a replay does not see a layer's settings changed in the middle of
``fit``; weights may change (they are read at every step).
"""

from ..autograd.replay import Recording, build_program

#: recordings tried before training stays eager for the rest of ``fit``
MAX_RECORDINGS = 3


def replayable(model):
    """True when ``model``'s training step may be recorded and replayed (see module doc)."""
    from ..losses.wrapper import LossFunctionWrapper

    if isinstance(model.loss, LossFunctionWrapper) or \
            not type(model.loss).__module__.startswith("neurona.losses"):
        return False
    for layer in model._flatten_layers():  # the model itself first: a user's subclass is not
        if not layer.traceable:
            return False
        activity = (getattr(layer, "activity_regularizer", None),
                    getattr(layer, "_activity_penalty", None))
        if not all(_built_in_penalty(p) for p in activity):
            return False
    return all(_built_in_penalty(v.regularizer) for v in model.trainable_weights)


def _built_in_penalty(regularizer):
    """No penalty, or one of neurona's (Functions only); a user's callable may do more."""
    return regularizer is None or type(regularizer).__module__.startswith("neurona.regularizers")


class StepReplay:
    """Records the first full batches of a ``fit``, builds the program once two recordings
    agree, and hands it out for batches of the recorded shapes. A batch is the flat list of
    the step's arrays (inputs, targets, sample weights)."""

    def __init__(self, variables):
        self.variables = variables
        self.recordings = []
        self.program = None
        self.tries = 0

    def program_for(self, batch):
        program = self.program
        return program if program is not None and program.fits(batch) else None

    def recording_for(self, batch):
        """A :class:`Recording` to run this eager step under, or None."""
        if self.program is not None or self.tries >= MAX_RECORDINGS:
            return None
        return Recording(batch)

    def recorded(self, recording, watched, loss):
        """Keep a finished recording; with a second of the same shapes, try to build."""
        self.tries += 1
        recording.finish(watched, loss)
        previous = self.recordings[-1] if self.recordings else None
        self.recordings = [recording]
        if previous is not None and _shapes(previous.batch) == _shapes(recording.batch):
            self.program = build_program(previous, recording, self.variables)
        if self.program is not None or self.tries >= MAX_RECORDINGS:
            self.recordings = []  # release the recorded batches and graphs


def _shapes(batch):
    return [a.shape for a in batch]
