"""RMSprop: divide by a running root mean square of the gradients."""

from ..backend import get_ops
from ..validation import boolean, real
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Keras form).

    ``v = rho * v + (1 - rho) * g**2``; with ``centered``, also ``a = rho * a + (1 - rho) * g``
    and the denominator uses ``v - a**2``. The increment is ``lr * g / sqrt(v + epsilon)``
    (``epsilon`` inside the root, unlike PyTorch); with momentum
    ``m = momentum * m + increment`` and ``w -= m``, else ``w -= increment``.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        rho: discount of the squared-gradient average, in [0, 1). Defaults to 0.9.
        momentum: in [0, 1]. Defaults to 0.0.
        epsilon: small constant for stability (>= 0). Defaults to 1e-7.
        centered: normalise by the estimated variance instead of the second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> RMSprop(centered=True).get_config()["rho"]
        0.9
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rmsprop"):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.rho = real("RMSprop", "rho", rho, low=0.0, high=1.0, high_open=True)
        self.momentum = real("RMSprop", "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = real("RMSprop", "epsilon", epsilon, low=0.0)
        self.centered = boolean("RMSprop", "centered", centered)

    def slot_defaults(self):
        slots = {"velocity": 0.0}
        if self.momentum:
            slots["momentum"] = 0.0
        if self.centered:
            slots["average_gradient"] = 0.0
        return slots

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        rho, v, t = self.rho, slots["velocity"], scratch[0]
        v *= rho
        xp.multiply(grad, grad, out=t)
        t *= 1.0 - rho
        v += t
        if self.centered:
            a = slots["average_gradient"]
            a *= rho
            xp.multiply(grad, 1.0 - rho, out=t)
            a += t
            xp.multiply(a, a, out=t)
            xp.subtract(v, t, out=t)
            t += self.epsilon
        else:
            xp.add(v, self.epsilon, out=t)
        xp.sqrt(t, out=t)
        xp.divide(grad, t, out=t)
        t *= lr
        if self.momentum:
            m = slots["momentum"]
            m *= self.momentum
            m += t
            param -= m
        else:
            param -= t

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
