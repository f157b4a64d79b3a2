"""Adam and AdamW (Adam with decoupled weight decay)."""

import math

import numpy as np

from ..backend import get_ops
from ..validation import boolean, real
from .optimizer import Optimizer


#: the slots of states saved before Adam kept decayed sums, and the sums they convert to
NORMALISED_SLOTS = {"momentum": "gradient_sum", "velocity": "square_sum",
                    "velocity_hat": "square_sum_max"}


def check_betas(owner, beta_1, beta_2, epsilon):
    """Validated (beta_1, beta_2, epsilon) of the Adam family."""
    return (real(owner, "beta_1", beta_1, low=0.0, high=1.0, high_open=True),
            real(owner, "beta_2", beta_2, low=0.0, high=1.0, high_open=True),
            real(owner, "epsilon", epsilon, low=0.0))


class Adam(Optimizer):
    """Adam (Keras form, ``epsilon`` is the paper's "epsilon hat").

    ``m += (g - m) * (1 - beta_1)``; ``v += (g**2 - v) * (1 - beta_2)``;
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` and ``t = iterations + 1``.
    PyTorch adds its epsilon to the bias-corrected root instead; the two agree to about
    ``epsilon / sqrt(v)``. With ``amsgrad`` the running maximum of ``v`` is used.

    The slots hold the moments as decayed sums, ``gradient_sum = m / (1 - beta_1)`` and
    ``square_sum = v / (1 - beta_2)`` (and ``square_sum_max`` with amsgrad): updating a sum is
    ``s = beta * s + g``, two passes over the parameters instead of three, and the constant
    factors move into ``alpha`` and ``epsilon``: the same step, ten passes instead of twelve.
    States saved with the normalised moments (``momentum``, ``velocity``) still load.

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
        self.amsgrad = boolean(owner, "amsgrad", amsgrad)

    def slot_defaults(self):
        slots = {"gradient_sum": 0.0, "square_sum": 0.0}
        if self.amsgrad:
            slots["square_sum_max"] = 0.0
        return slots

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        b1, b2 = self.beta_1, self.beta_2
        t = self._iterations + 1
        # m / (sqrt(v) + eps) = (1 - b1) / sqrt(1 - b2) * M / (sqrt(V) + eps / sqrt(1 - b2))
        # for the sums M = m / (1 - b1) and V = v / (1 - b2)
        root = math.sqrt(1.0 - b2)
        alpha = lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t) * (1.0 - b1) / root
        eps = self.epsilon / root
        maximum = slots["square_sum_max"] if self.amsgrad else None
        moments = (slots["gradient_sum"], slots["square_sum"], maximum, scratch[0])

        def chunk(start, stop):
            part = slice(start, stop)
            m, v, v_max, tmp = (a[part] if a is not None else None for a in moments)
            g = grad[part]
            m *= b1
            m += g
            xp.multiply(g, g, out=tmp)
            v *= b2
            v += tmp
            if v_max is not None:
                v = xp.maximum(v_max, v, out=v_max)
            xp.sqrt(v, out=tmp)
            tmp += eps
            xp.divide(m, tmp, out=tmp)
            tmp *= alpha
            param[part] -= tmp

        # elementwise over the flat buffer: chunks that stay in cache, on every core
        get_ops().elementwise(chunk, grad.shape[0])

    def set_state(self, state):
        """:meth:`Optimizer.set_state`, also taking states saved with the normalised moments
        ``momentum`` = (1 - beta_1) * gradient_sum and ``velocity`` = (1 - beta_2) *
        square_sum (``velocity_hat`` for amsgrad)."""
        if isinstance(state, dict):
            state = dict(self._current_entry(k, v) for k, v in state.items())
        super().set_state(state)

    def _current_entry(self, key, value):
        name, slash, index = key.partition("/")
        if not slash or name not in NORMALISED_SLOTS:
            return key, value
        scale = 1.0 - (self.beta_1 if name == "momentum" else self.beta_2)  # > 0: beta < 1
        return f"{NORMALISED_SLOTS[name]}/{index}", np.asarray(value) / scale

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
        real("AdamW", "weight_decay", weight_decay, low=0.0, fix="use Adam for no weight decay")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
