"""Rewrites of a model's graph for its trusted (training and predict) forward: one pass over
the graph's nodes, the same for Sequential and functional models (a Sequential builds the same
graph a functional model has).

The rewrite today: a convolution whose output is read only by a max or min pooling runs with it
as one step, with the same values (up to rounding) and gradients:

- when the pooling's windows do not overlap (2-D, "valid", strides = pool size, the same data
  format) and the convolution's activation is fused (linear or relu), one
  :func:`~neurona.functions.conv2d_pooled` call computes only the convolution outputs the
  pooling reads, in an order that makes each window a contiguous block;
- otherwise, when the convolution's activation is the fused relu, the relu runs after the
  pooling, on an array ``pool`` times smaller: relu is monotone, so ``pool(relu(z))`` equals
  ``relu(pool(z))`` exactly, gradients and ties included (a window whose winner is <= 0 gets a
  zero gradient either way).

A convolution with an activity regularizer (which watches its own output), whose output has a
second reader or is a model output, or a pair in other data formats runs as written.
"""

from .. import functions as F
from ..layers.conv import BaseConv, to_channels_first, to_channels_last
from ..layers.pooling import BasePooling
from ..layers.symbolic import Node, SymbolicTensor, substitute

#: pooling modes a convolution's fused relu commutes with
EXTREME_MODES = ("max", "min")


def conv_pool_rule(conv, pooling):
    """How ``pooling(conv(x))`` may run as one step: "one_call" (``conv2d_pooled``),
    "relu_after" (the relu moved after the pooling), or None (as written)."""
    if (not isinstance(conv, BaseConv) or not isinstance(pooling, BasePooling)
            or pooling.mode not in EXTREME_MODES or conv.watches_output
            or conv.fused_activation is None):
        return None
    if (conv.rank == 2 and pooling.rank == 2 and pooling.padding == "valid"
            and pooling.strides == pooling.pool_size and pooling.data_format == conv.data_format):
        return "one_call"
    return "relu_after" if conv.fused_activation == "relu" else None


class ConvPool:
    """The step standing for a convolution node and the pooling node that alone reads it."""

    def __init__(self, conv, pooling, rule):
        self.conv, self.pooling, self.rule = conv, pooling, rule

    def __call__(self, inputs):
        conv, pooling = self.conv, self.pooling
        x = to_channels_last(inputs, conv.data_format)
        if self.rule == "one_call":
            out = F.conv2d_pooled(x, conv.kernel, conv.bias, conv.strides, conv.padding,
                                  conv.dilation_rate, activation=conv.fused_activation,
                                  pool=pooling.mode, pool_size=pooling.pool_size)
            return to_channels_first(out, conv.data_format)
        z = to_channels_first(conv.convolve(x, "linear"), conv.data_format)
        return F.relu(pooling.call(z))


class FusedNode(Node):
    """A graph node running a :class:`ConvPool`: the convolution's inputs, the pooling's
    outputs."""

    def __init__(self, conv_node, pool_node, rule):
        super().__init__(ConvPool(conv_node.layer, pool_node.layer, rule), conv_node.inputs, (),
                         {}, pool_node.outputs)

    def run(self, computed, training, trusted=False):
        return self.layer(substitute(self.inputs, computed))


def fused_nodes(graph):
    """``graph.nodes`` with each fusable convolution + pooling pair replaced by one
    :class:`FusedNode` at the pooling's place (the convolution's other inputs are computed by
    then: the pooling ran after the convolution)."""
    readers = {}
    for node in graph.nodes:
        for t in node.symbolic_inputs():
            readers.setdefault(id(t), []).append(node)
    model_outputs = {id(t) for t in graph.outputs}
    fused, absorbed = {}, set()
    for node in graph.nodes:
        out = node.outputs
        if node.args or node.kwargs or not isinstance(out, SymbolicTensor) \
                or id(out) in model_outputs:
            continue
        users = readers.get(id(out), [])
        if len(users) != 1 or users[0].inputs is not out or users[0].args or users[0].kwargs:
            continue
        rule = conv_pool_rule(node.layer, users[0].layer)
        if rule is not None:
            fused[id(users[0])] = FusedNode(node, users[0], rule)
            absorbed.add(id(node))
    return [fused.get(id(node), node) for node in graph.nodes if id(node) not in absorbed]
