"""Stochastic gradient descent with optional (Nesterov) momentum."""

from ..backend import get_ops
from ..validation import boolean, real
from .optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum, in Keras's velocity form.

    With ``momentum == 0``: ``w -= lr * g``. Otherwise ``v = momentum * v - lr * g`` and
    ``w += v`` (or ``w += momentum * v - lr * g`` with ``nesterov=True``). For a constant
    rate this matches PyTorch's SGD; when the rate changes, the stored velocity keeps the old
    rate, as in Keras.

    Args:
        learning_rate: float or schedule. Defaults to 0.01.
        momentum: in [0, 1]. Defaults to 0.0.
        nesterov: use Nesterov momentum. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> opt = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
        >>> opt.get_config()["momentum"]
        0.9
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD"):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.momentum = real("SGD", "momentum", momentum, low=0.0, high=1.0)
        self.nesterov = boolean("SGD", "nesterov", nesterov)
        self.scratch_buffers = 2 if nesterov else 1

    def slot_defaults(self):
        return {"momentum": 0.0} if self.momentum else {}

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        step = scratch[0]
        xp.multiply(grad, lr, out=step)
        if not self.momentum:
            param -= step
            return
        v = slots["momentum"]
        v *= self.momentum
        v -= step
        if self.nesterov:
            xp.multiply(v, self.momentum, out=scratch[1])
            scratch[1] -= step
            param += scratch[1]
        else:
            param += v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
