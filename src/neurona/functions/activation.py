"""Activation functions, each one Function with its derivative beside it.

``softmax`` and ``sigmoid`` tag their output with the logits they came from, so a cross-entropy
loss on probabilities can be computed exactly from the logits instead (as Keras does).
"""

from ..autograd.function import Function

__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax"]


class ReLU(Function):
    def forward(self, x):
        self.y = self.xp.maximum(x, 0)
        return self.y

    def backward(self, g):
        # relu'(x) = 1 for x > 0, else 0
        return (g * (self.y > 0),)


class Sigmoid(Function):
    def forward(self, x):
        self.y = self.ops.sigmoid(x)
        return self.y

    def backward(self, g):
        # sigma' = sigma (1 - sigma)
        y = self.y
        return (g * y * (1 - y),)


class Tanh(Function):
    def forward(self, x):
        self.y = self.xp.tanh(x)
        return self.y

    def backward(self, g):
        # tanh' = 1 - tanh^2
        return (g * (1 - self.y * self.y),)


class Softmax(Function):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        self.y = self.ops.softmax(x, axis=self.axis)
        return self.y

    def backward(self, g):
        # J^T g = y * (g - sum(g * y))
        y = self.y
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        out = self.ops.log_softmax(x, axis=self.axis)
        self.y = out
        return out

    def backward(self, g):
        # d log_softmax = g - softmax * sum(g)
        return (g - self.xp.exp(self.y) * g.sum(axis=self.axis, keepdims=True),)


def relu(x):
    return ReLU()(x)


def sigmoid(x):
    out = Sigmoid()(x)
    out._logits = x
    return out


def tanh(x):
    return Tanh()(x)


def softmax(x, axis=-1):
    out = Softmax(axis)(x)
    out._logits = x
    out._logits_axis = axis
    return out


def log_softmax(x, axis=-1):
    return LogSoftmax(axis)(x)
