"""Adam and AdamW (Adam with decoupled weight decay)."""

import math

from ..backend import get_ops
from .optimizer import Optimizer, check_float


def check_betas(owner, beta_1, beta_2, epsilon):
    """Validated (beta_1, beta_2, epsilon) of the Adam family."""
    return (check_float(owner, "beta_1", beta_1, low=0.0, high=1.0, high_open=True),
            check_float(owner, "beta_2", beta_2, low=0.0, high=1.0, high_open=True),
            check_float(owner, "epsilon", epsilon, low=0.0))


class Adam(Optimizer):
    """Adam (Keras form, ``epsilon`` is the paper's "epsilon hat").

    ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``;
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` and ``t = iterations + 1``.
    PyTorch adds its epsilon to the bias-corrected root instead; the two agree to about
    ``epsilon / sqrt(v)``. With ``amsgrad`` the running maximum of ``v`` is used.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        beta_1: first-moment decay, in [0, 1). Defaults to 0.9.
        beta_2: second-moment decay, in [0, 1). Defaults to 0.999.
        epsilon: small constant for stability (>= 0). Defaults to 1e-7.
        amsgrad: use the AMSGrad variant. Defaults to False.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> Adam(learning_rate=1e-3).get_config()["beta_2"]
        0.999
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam"):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        owner = type(self).__name__
        self.beta_1, self.beta_2, self.epsilon = check_betas(owner, beta_1, beta_2, epsilon)
        if not isinstance(amsgrad, bool):
            raise TypeError(f"{owner}: amsgrad must be True or False, got amsgrad={amsgrad!r}")
        self.amsgrad = amsgrad

    def slot_defaults(self):
        slots = {"momentum": 0.0, "velocity": 0.0}
        if self.amsgrad:
            slots["velocity_hat"] = 0.0
        return slots

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        b1, b2 = self.beta_1, self.beta_2
        t = self._iterations + 1
        alpha = lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        m, v, tmp = slots["momentum"], slots["velocity"], scratch[0]
        xp.subtract(grad, m, out=tmp)
        tmp *= 1.0 - b1
        m += tmp
        xp.multiply(grad, grad, out=grad)  # grad is not needed any more: reuse it for g**2
        grad -= v
        grad *= 1.0 - b2
        v += grad
        if self.amsgrad:
            v = xp.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        xp.sqrt(v, out=tmp)
        tmp += self.epsilon
        xp.divide(m, tmp, out=tmp)
        tmp *= alpha
        param -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), Keras's defaults.

    Each step first shrinks every variable, ``w -= w * weight_decay * lr``, then takes the
    Adam step; exclude biases etc. with :meth:`exclude_from_weight_decay`.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        weight_decay: decay rate (>= 0, required). Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as in :class:`Adam`.
        clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> AdamW().get_config()["weight_decay"]
        0.004
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adamw"):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a float >= 0, got None; use Adam "
                             "for no weight decay")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
