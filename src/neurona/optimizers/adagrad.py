"""Adagrad: per-parameter rates from the running sum of squared gradients."""

from ..backend import get_ops
from ..validation import real
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Keras form): ``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)``.

    Keras puts ``epsilon`` inside the square root and starts the accumulator at 0.1;
    PyTorch adds ``epsilon`` after the root and starts at 0.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        initial_accumulator_value: starting accumulator value (>= 0). Defaults to 0.1.
        epsilon: small constant for stability (>= 0). Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> Adagrad(learning_rate=0.01).get_config()["initial_accumulator_value"]
        0.1
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad"):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.initial_accumulator_value = real(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = real("Adagrad", "epsilon", epsilon, low=0.0)

    def slot_defaults(self):
        return {"accumulator": self.initial_accumulator_value}

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        acc, t = slots["accumulator"], scratch[0]
        xp.multiply(grad, grad, out=t)
        acc += t
        xp.add(acc, self.epsilon, out=t)
        xp.sqrt(t, out=t)
        xp.divide(grad, t, out=t)
        t *= lr
        param -= t

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
