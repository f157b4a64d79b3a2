"""Nadam: Adam with Nesterov momentum, in Keras's formulation."""

from ..backend import get_ops
from .adam import check_betas
from .optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam (Dozat 2015) with Keras's momentum schedule.

    With ``t = iterations + 1`` and ``u_t = beta_1 * (1 - 0.5 * 0.96**t)`` (Keras uses
    ``0.96**t``; PyTorch's NAdam uses ``0.96**(0.004 t)``), ``P_t = u_1 * ... * u_t``:
    ``m += (g - m)(1 - beta_1)``, ``v += (g**2 - v)(1 - beta_2)``,
    ``m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)``,
    ``v_hat = v / (1 - beta_2**t)``, ``w -= lr * m_hat / (sqrt(v_hat) + epsilon)``.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        beta_1: first-moment decay, in [0, 1). Defaults to 0.9.
        beta_2: second-moment decay, in [0, 1). Defaults to 0.999.
        epsilon: small constant for stability (>= 0). Defaults to 1e-7.
        weight_decay, clipnorm, clipvalue, global_clipnorm, name: see :class:`Optimizer`.

    Example:
        >>> Nadam().get_config()["beta_1"]
        0.9
    """

    scratch_buffers = 2  # the bias-corrected momentum and the denominator

    scalar_state = ("u_product",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam"):
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1, self.beta_2, self.epsilon = check_betas("Nadam", beta_1, beta_2, epsilon)
        self.u_product = 1.0  # P_t, advanced once per step by begin_step

    def slot_defaults(self):
        return {"momentum": 0.0, "velocity": 0.0}

    def _u(self, step):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** step)

    def begin_step(self):
        self.u_product *= self._u(self._iterations + 1)

    def update_step(self, grad, param, lr, slots, scratch):
        xp = get_ops().xp
        b1, b2 = self.beta_1, self.beta_2
        t = self._iterations + 1
        u_t, u_next = self._u(t), self._u(t + 1)
        p_t = self.u_product
        m, v, tmp = slots["momentum"], slots["velocity"], scratch[0]
        xp.subtract(grad, m, out=tmp)
        tmp *= 1.0 - b1
        m += tmp
        xp.multiply(grad, grad, out=tmp)
        tmp -= v
        tmp *= 1.0 - b2
        v += tmp
        m_hat = scratch[1]
        xp.multiply(grad, (1.0 - u_t) / (1.0 - p_t), out=m_hat)
        xp.multiply(m, u_next / (1.0 - p_t * u_next), out=tmp)
        m_hat += tmp
        xp.divide(v, 1.0 - b2 ** t, out=tmp)
        xp.sqrt(tmp, out=tmp)
        tmp += self.epsilon
        xp.divide(m_hat, tmp, out=m_hat)
        m_hat *= lr
        param -= m_hat

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
