"""Adamax: Adam with the infinity norm in place of the second moment."""

from ..backend import get_ops
from .adam import check_betas
from .optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7.1), Keras form.

    ``m += (g - m)(1 - beta_1)``; ``u = max(beta_2 * u, |g|)``;
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))`` with ``t = iterations + 1``
    (PyTorch adds ``epsilon`` inside the max instead).

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        beta_1: first-moment decay, in [0, 1). Defaults to 0.9.
        beta_2: infinity-norm decay, in [0, 1). Defaults to 0.999.
        epsilon: small constant for stability (>= 0). Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> float(Adamax(learning_rate=0.002).learning_rate)
        0.002
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamax"):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1, self.beta_2, self.epsilon = check_betas("Adamax", beta_1, beta_2, epsilon)

    def slot_defaults(self):
        return {"momentum": 0.0, "norm": 0.0}

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        b1 = self.beta_1
        m, u, tmp = slots["momentum"], slots["norm"], scratch[0]
        xp.subtract(grad, m, out=tmp)
        tmp *= 1.0 - b1
        m += tmp
        u *= self.beta_2
        xp.abs(grad, out=tmp)
        xp.maximum(u, tmp, out=u)
        xp.add(u, self.epsilon, out=tmp)
        xp.divide(m, tmp, out=tmp)
        tmp *= lr / (1.0 - b1 ** (self._iterations + 1))
        param -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
