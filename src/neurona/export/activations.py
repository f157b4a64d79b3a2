"""Every activation of :mod:`neurona.activations` as ONNX ops, one small function each."""

import math

from ..functions.activation import SELU_ALPHA, SELU_SCALE

#: activation name -> ``convert(graph, x) -> y``
ACTIVATIONS = {}


def activation(*names):
    """Register a converter under one or more activation names."""
    def decorator(fn):
        for name in names:
            ACTIVATIONS[name] = fn
        return fn
    return decorator


def apply_activation(g, x, name, where):
    """``x`` through the activation ``name``; an activation without a converter is named."""
    if name in (None, "linear"):
        return x
    convert = ACTIVATIONS.get(name) if isinstance(name, str) else None
    if convert is None:
        raise ValueError(f"ONNX export: {where} uses the activation {name!r}, which has no ONNX "
                         f"converter; exportable activations: {', '.join(sorted(ACTIVATIONS))}")
    return convert(g, x)


def _unary(op, **attributes):
    return lambda g, x: g.node(op, [x], **attributes)


for _name, _op in (("relu", "Relu"), ("sigmoid", "Sigmoid"), ("tanh", "Tanh"),
                   ("softplus", "Softplus"), ("softsign", "Softsign"), ("exponential", "Exp")):
    activation(_name)(_unary(_op))
activation("softmax")(_unary("Softmax", axis=-1))
activation("log_softmax")(_unary("LogSoftmax", axis=-1))
activation("elu")(_unary("Elu", alpha=1.0))
activation("selu")(_unary("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE))
activation("leaky_relu")(_unary("LeakyRelu", alpha=0.2))  # Keras 3's default slope
activation("hard_sigmoid")(_unary("HardSigmoid", alpha=1.0 / 6.0, beta=0.5))


@activation("hard_silu", "hard_swish")
def _hard_silu(g, x):
    return g.node("Mul", [x, g.node("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)])


@activation("relu6")
def _relu6(g, x):
    return g.node("Clip", [x, g.constant(0.0, "zero"), g.constant(6.0, "six")])


@activation("silu", "swish")
def _silu(g, x):
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


@activation("gelu")
def _gelu(g, x):
    """The exact form ``x * (1 + erf(x / sqrt(2))) / 2`` (neurona's and Keras's default)."""
    erf = g.node("Erf", [g.node("Mul", [x, g.constant(1.0 / math.sqrt(2.0), "inv_sqrt2")])])
    return g.node("Mul", [g.node("Mul", [x, g.constant(0.5, "half")]),
                          g.node("Add", [erf, g.constant(1.0, "one")])])


@activation("mish")
def _mish(g, x):
    return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])])


@activation("step")
def _step(g, x):
    """Heaviside: 1 where x > 0, else 0."""
    positive = g.node("Greater", [x, g.constant(0.0, "zero")])
    return g.node("Cast", [positive], to=g.float_type())


@activation("crelu")
def _crelu(g, x):
    return g.node("Concat", [g.node("Relu", [x]), g.node("Relu", [g.node("Neg", [x])])],
                  axis=-1)
