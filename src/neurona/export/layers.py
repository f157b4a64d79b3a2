"""One ONNX converter per layer class: ``convert(graph, layer, inputs) -> output``.

``inputs`` is the ONNX value name of the layer's input (a list of names for layers called on
several tensors, such as the merging layers); the converter returns the name of its output.
Layers that only act in training (dropout, noise, augmentation) become identities: the exported
graph is the inference form. A layer class without a converter cannot be exported; the error
names the layer. Adding one is one function::

    @converter("MyLayer")
    def _my_layer(g, layer, x):
        return g.node("Relu", [x])

Convolutions and poolings work on channels-last tensors as neurona does; ONNX's operators are
channels-first, so the converters transpose around them.
"""

import numpy as np

from .activations import apply_activation

#: neurona layer class name -> converter
CONVERTERS = {}
#: layer class names whose converters take the tensors of every positional argument of the
#: call as one list (``MultiHeadAttention(query, value, key)``)
POSITIONAL = set()


#: layer class name -> why no ONNX graph can hold it (the export's error gives the reason)
REFUSED = {
    "TextVectorization": "it maps strings to tokens with Python string processing (its "
                         "standardization, splitting and vocabulary lookup); export the model "
                         "after it and feed the graph token indices",
    "SimpleRNNCell": "a cell computes one timestep inside an RNN layer; export the RNN that "
                     "runs it",
    "LSTMCell": "a cell computes one timestep inside an RNN layer; export the RNN that runs it",
    "GRUCell": "a cell computes one timestep inside an RNN layer; export the RNN that runs it",
    "StackedRNNCells": "stacked cells compute one timestep inside an RNN layer; export the "
                       "RNN that runs them",
}


def converter(*names, positional=False):
    """Register a converter under one or more layer class names; ``positional``: the layer is
    called on several tensors as separate arguments, which the converter receives as one
    list of names."""
    def decorator(fn):
        for name in names:
            CONVERTERS[name] = fn
            if positional:
                POSITIONAL.add(name)
        return fn
    return decorator


def label(layer):
    return f"layer {layer.name!r} ({type(layer).__name__})"


def weight(g, variable, base):
    return g.constant(np.asarray(variable.numpy()), base)


def activation_of(layer):
    """A layer's activation by its registered name (None for linear)."""
    from .. import activations

    fn = getattr(layer, "activation", None)
    if fn is None:
        return None
    try:
        return activations.serialize(fn)
    except ValueError:
        raise ValueError(f"ONNX export: {label(layer)} uses the unregistered activation {fn!r}, "
                         "which has no ONNX converter") from None


def input_shape(layer):
    """The (batch-first) shape the layer was built for."""
    shape = layer._build_input_shape
    if shape is None:
        raise ValueError(f"ONNX export: {label(layer)} is not built, so its shapes are unknown")
    return tuple(shape)


@converter("InputLayer", "Identity", "ActivityRegularization", "Dropout", "SpatialDropout1D", "SpatialDropout2D",
           "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "RandomFlip",
           "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast")
def _identity(g, layer, x):
    """Layers whose inference form is the identity: removed from the graph."""
    return x


@converter("Dense")
def _dense(g, layer, x):
    y = g.node("MatMul", [x, weight(g, layer.kernel, f"{layer.name}_kernel")])
    if layer.bias is not None:
        y = g.node("Add", [y, weight(g, layer.bias, f"{layer.name}_bias")])
    return apply_activation(g, y, activation_of(layer), label(layer))


@converter("Activation")
def _activation(g, layer, x):
    return apply_activation(g, x, activation_of(layer), label(layer))


@converter("ReLU")
def _relu(g, layer, x):
    if layer.threshold == 0 and layer.max_value is None:
        return g.node("LeakyRelu", [x], alpha=layer.negative_slope) if layer.negative_slope \
            else g.node("Relu", [x])
    threshold = g.constant(layer.threshold, "threshold")
    above = x if layer.max_value is None else g.node("Min", [x, g.constant(layer.max_value,
                                                                           "max_value")])
    below = g.node("Mul", [g.node("Sub", [x, threshold]),
                           g.constant(layer.negative_slope, "negative_slope")])
    return g.node("Where", [g.node("GreaterOrEqual", [x, threshold]), above, below])


@converter("LeakyReLU")
def _leaky_relu(g, layer, x):
    return g.node("LeakyRelu", [x], alpha=layer.negative_slope)


@converter("RReLU")
def _rrelu(g, layer, x):
    return g.node("LeakyRelu", [x], alpha=(layer.lower + layer.upper) / 2.0)  # inference slope


@converter("PReLU")
def _prelu(g, layer, x):
    return g.node("PRelu", [x, weight(g, layer.alpha, f"{layer.name}_alpha")])


@converter("ELU")
def _elu(g, layer, x):
    return g.node("Elu", [x], alpha=layer.alpha)


@converter("Softmax")
def _softmax(g, layer, x):
    return g.node("Softmax", [x], axis=layer.axis)


@converter("Flatten")
def _flatten(g, layer, x):
    if layer.data_format == "channels_first" and len(input_shape(layer)) > 2:
        rank = len(input_shape(layer))
        x = g.transpose(x, (0,) + tuple(range(2, rank)) + (1,))
    return g.node("Flatten", [x], axis=1)


@converter("Reshape")
def _reshape(g, layer, x):
    return g.node("Reshape", [x, g.ints((0,) + tuple(layer.target_shape), "shape")])


def _variadic(op):
    def convert(g, layer, inputs):
        return g.node(op, list(inputs))
    return convert


CONVERTERS.update(Add=_variadic("Sum"), Maximum=_variadic("Max"), Minimum=_variadic("Min"))


@converter("Subtract")
def _subtract(g, layer, inputs):
    return g.node("Sub", list(inputs))


@converter("Multiply")
def _multiply(g, layer, inputs):
    out = inputs[0]
    for other in inputs[1:]:
        out = g.node("Mul", [out, other])
    return out


@converter("Average")
def _average(g, layer, inputs):
    return g.node("Div", [g.node("Sum", list(inputs)), g.constant(float(len(inputs)), "count")])


@converter("Concatenate")
def _concatenate(g, layer, inputs):
    return g.node("Concat", list(inputs), axis=layer.axis)


@converter("Rescaling")
def _rescaling(g, layer, x):
    y = g.node("Mul", [x, g.constant(layer.scale, "scale")])
    return g.node("Add", [y, g.constant(layer.offset, "offset")])


def _broadcast_shape(layer, axes, rank):
    """The shape a per-channel constant takes to broadcast along ``axes`` of a rank-``rank``
    tensor."""
    shape = [1] * rank
    for axis in axes:
        shape[axis % rank] = input_shape(layer)[axis % rank]
    return shape[1:]  # broadcasting aligns trailing axes: the batch axis can go


@converter("BatchNormalization")
def _batch_normalization(g, layer, x):
    """The inference form folded into one multiply and one add per channel."""
    rank = len(input_shape(layer))
    variance = np.asarray(layer.moving_variance.numpy(), dtype=np.float64)
    scale = 1.0 / np.sqrt(variance + layer.epsilon)
    if layer.gamma is not None:
        scale = scale * np.asarray(layer.gamma.numpy(), dtype=np.float64)
    shift = -np.asarray(layer.moving_mean.numpy(), dtype=np.float64) * scale
    if layer.beta is not None:
        shift = shift + np.asarray(layer.beta.numpy(), dtype=np.float64)
    shape = _broadcast_shape(layer, [layer.axis], rank)
    y = g.node("Mul", [x, g.constant(scale.reshape(shape), f"{layer.name}_scale")])
    return g.node("Add", [y, g.constant(shift.reshape(shape), f"{layer.name}_shift")])


@converter("LayerNormalization")
def _layer_normalization(g, layer, x):
    axes = list(layer._axes)
    rank = len(input_shape(layer))
    mean = g.reduce("Mean", x, axes, keepdims=True)
    centered = g.node("Sub", [x, mean])
    variance = g.reduce("Mean", g.node("Mul", [centered, centered]), axes, keepdims=True)
    std = g.node("Sqrt", [g.node("Add", [variance, g.constant(layer.epsilon, "epsilon")])])
    y = g.node("Div", [centered, std])
    shape = _broadcast_shape(layer, axes, rank)
    if layer.gamma is not None:
        y = g.node("Mul", [y, g.constant(np.asarray(layer.gamma.numpy()).reshape(shape),
                                         f"{layer.name}_gamma")])
    if layer.beta is not None:
        y = g.node("Add", [y, g.constant(np.asarray(layer.beta.numpy()).reshape(shape),
                                         f"{layer.name}_beta")])
    return y


# -- convolutions and poolings --------------------------------------------------------------------
def _to_channels_first(g, layer, x, rank):
    if layer.data_format == "channels_first":
        return x
    return g.transpose(x, (0, rank + 1) + tuple(range(1, rank + 1)))


def _to_channels_last(g, layer, y, rank):
    if layer.data_format == "channels_first":
        return y
    return g.transpose(y, (0,) + tuple(range(2, rank + 2)) + (1,))


def _spatial_shape(layer, rank):
    shape = input_shape(layer)
    return shape[1:rank + 1] if layer.data_format != "channels_first" else shape[2:]


def _same_pads(layer, sizes, kernels, strides, dilations):
    """Explicit (begins + ends) pads of TF's "same" padding: the odd extra goes at the end."""
    begins, ends = [], []
    for n, k, s, d in zip(sizes, kernels, strides, dilations):
        if n is None:
            raise ValueError(f"ONNX export: {label(layer)} uses padding='same' on an axis of "
                             "unknown size; build the model with a fixed input size")
        out = (n - 1) // s + 1
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        begins.append(total // 2)
        ends.append(total - total // 2)
    return begins + ends


def _pads(layer, rank, kernels, strides, dilations):
    if layer.padding == "valid":
        return [0] * (2 * rank)
    if layer.padding == "causal":  # the past only: all the padding before
        return [(k - 1) * d for k, d in zip(kernels, dilations)] + [0] * rank
    return _same_pads(layer, _spatial_shape(layer, rank), kernels, strides, dilations)


@converter("Conv1D", "Conv2D", "Conv3D")
def _conv(g, layer, x):
    rank = layer.rank
    kernel = np.asarray(layer.kernel.numpy())  # (*spatial, in, out) -> (out, in, *spatial)
    inputs = [_to_channels_first(g, layer, x, rank),
              g.constant(np.transpose(kernel, (rank + 1, rank) + tuple(range(rank))),
                         f"{layer.name}_kernel")]
    if layer.bias is not None:
        inputs.append(weight(g, layer.bias, f"{layer.name}_bias"))
    y = g.node("Conv", inputs, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
               dilations=list(layer.dilation_rate), group=layer.groups,
               pads=_pads(layer, rank, layer.kernel_size, layer.strides, layer.dilation_rate))
    y = _to_channels_last(g, layer, y, rank)
    return apply_activation(g, y, activation_of(layer), label(layer))


@converter("Conv1DTranspose", "Conv2DTranspose")
def _conv_transpose(g, layer, x):
    """Pads and output padding that give neurona's output size and placement: the full
    span ``(n - 1) * s + k`` cropped by ``before`` at the start (half the excess for "same")."""
    rank = layer.rank
    kernel = np.asarray(layer.kernel.numpy())  # (*spatial, out, in) -> (in, out, *spatial)
    out_shape = layer.compute_output_shape(input_shape(layer))
    out_sizes = out_shape[1:rank + 1] if layer.data_format != "channels_first" else out_shape[2:]
    begins, ends, extra = [], [], []
    for n, k, s, d, out in zip(_spatial_shape(layer, rank), layer.kernel_size, layer.strides,
                               layer.dilation_rate, out_sizes):
        if n is None:
            raise ValueError(f"ONNX export: {label(layer)} needs a fixed input size")
        full = (n - 1) * s + (k - 1) * d + 1
        before = max(full - out, 0) // 2 if layer.padding == "same" else 0
        after = full - before - out
        begins.append(before)
        ends.append(max(after, 0))
        extra.append(max(-after, 0))
    inputs = [_to_channels_first(g, layer, x, rank),
              g.constant(np.transpose(kernel, (rank + 1, rank) + tuple(range(rank))),
                         f"{layer.name}_kernel")]
    if layer.bias is not None:
        inputs.append(weight(g, layer.bias, f"{layer.name}_bias"))
    y = g.node("ConvTranspose", inputs, kernel_shape=list(layer.kernel_size),
               strides=list(layer.strides), dilations=list(layer.dilation_rate),
               pads=begins + ends, output_padding=extra)
    y = _to_channels_last(g, layer, y, rank)
    return apply_activation(g, y, activation_of(layer), label(layer))


def _depthwise(g, layer, x, kernel, bias=None):
    """A depthwise convolution (channels first in, channels first out): one group per input
    channel, ``depth_multiplier`` outputs each, in Keras's order (channel-major)."""
    rank = layer.rank
    channels, multiplier = kernel.shape[rank], kernel.shape[rank + 1]
    flat = kernel.reshape(kernel.shape[:rank] + (channels * multiplier,))
    weights = np.transpose(flat, (rank,) + tuple(range(rank)))[:, None]
    inputs = [x, g.constant(weights, f"{layer.name}_depthwise")]
    if bias is not None:
        inputs.append(bias)
    return g.node("Conv", inputs, kernel_shape=list(layer.kernel_size),
                  strides=list(layer.strides), dilations=list(layer.dilation_rate),
                  group=channels,
                  pads=_pads(layer, rank, layer.kernel_size, layer.strides, layer.dilation_rate))


@converter("DepthwiseConv1D", "DepthwiseConv2D")
def _depthwise_conv(g, layer, x):
    bias = None if layer.bias is None else weight(g, layer.bias, f"{layer.name}_bias")
    y = _depthwise(g, layer, _to_channels_first(g, layer, x, layer.rank),
                   np.asarray(layer.kernel.numpy()), bias)
    y = _to_channels_last(g, layer, y, layer.rank)
    return apply_activation(g, y, activation_of(layer), label(layer))


@converter("SeparableConv1D", "SeparableConv2D")
def _separable_conv(g, layer, x):
    rank = layer.rank
    y = _depthwise(g, layer, _to_channels_first(g, layer, x, rank),
                   np.asarray(layer.depthwise_kernel.numpy()))
    pointwise = np.asarray(layer.pointwise_kernel.numpy())  # (1.., in, out) -> (out, in, 1..)
    inputs = [y, g.constant(np.transpose(pointwise, (rank + 1, rank) + tuple(range(rank))),
                            f"{layer.name}_pointwise")]
    if layer.bias is not None:
        inputs.append(weight(g, layer.bias, f"{layer.name}_bias"))
    y = g.node("Conv", inputs, kernel_shape=[1] * rank)
    y = _to_channels_last(g, layer, y, rank)
    return apply_activation(g, y, activation_of(layer), label(layer))


@converter("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
           "AveragePooling2D", "AveragePooling3D", "MinPooling1D", "MinPooling2D")
def _pooling(g, layer, x):
    rank = layer.rank
    mode = layer.mode
    x = _to_channels_first(g, layer, x, rank)
    if mode == "min":  # min pooling is -maxpool(-x)
        x = g.node("Neg", [x])
    ones = [1] * rank
    attributes = dict(kernel_shape=list(layer.pool_size), strides=list(layer.strides),
                      pads=_pads(layer, rank, layer.pool_size, layer.strides, ones))
    if mode == "avg":
        y = g.node("AveragePool", [x], count_include_pad=0, **attributes)  # padding not counted
    else:
        y = g.node("MaxPool", [x], **attributes)
    if mode == "min":
        y = g.node("Neg", [y])
    return _to_channels_last(g, layer, y, rank)


@converter("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D")
def _global_pooling(g, layer, x):
    rank = layer.rank
    axes = list(range(1, rank + 1)) if layer.data_format != "channels_first" else \
        list(range(2, rank + 2))
    return g.reduce("Max" if layer.mode == "max" else "Mean", x, axes, keepdims=layer.keepdims)


def _interpolate(g, layer, x, resizer, rows, cols):
    """``A @ image @ B^T`` per channel with a Resizing layer's own interpolation matrices
    (every interpolation, crop and pad mode alike), plus the fill of padded frames."""
    from ..backend import get_ops

    to_numpy = get_ops().to_numpy
    a, b, pad = (None if m is None else to_numpy(m)
                 for m in resizer._matrices(rows, cols, np.dtype(layer.dtype)))
    y = g.node("Einsum", [g.constant(a, f"{layer.name}_rows"), x,
                          g.constant(b, f"{layer.name}_cols")], equation="hr,nrqc,wq->nhwc")
    if pad is not None:  # (1, height, width, 1)
        y = g.node("Add", [y, g.constant(pad, f"{layer.name}_fill")])
    return y


@converter("Resizing")
def _resizing(g, layer, x):
    _, rows, cols, _ = input_shape(layer)
    if rows is None or cols is None:
        raise ValueError(f"ONNX export: {label(layer)} needs a fixed input size")
    return _interpolate(g, layer, x, layer, rows, cols)


# -- reshaping --------------------------------------------------------------------------------------
def _channels_last_axes(layer, rank):
    """The spatial axes of a rank-``rank`` layer's input, for its data format."""
    first = getattr(layer, "data_format", None) == "channels_first"
    return list(range(2, rank + 2)) if first else list(range(1, rank + 1))


def _padded(g, x, pads_per_axis, ndim):
    begins = [p[0] for p in pads_per_axis]
    ends = [p[1] for p in pads_per_axis]
    return g.node("Pad", [x, g.ints(begins + ends, "pads")], mode="constant")


@converter("ZeroPadding1D", "ZeroPadding2D")
def _zero_padding(g, layer, x):
    rank = 1 if type(layer).__name__ == "ZeroPadding1D" else 2
    ndim = rank + 2
    pads = [(0, 0)] * ndim
    widths = [layer.padding] if rank == 1 else list(layer.padding)
    for axis, width in zip(_channels_last_axes(layer, rank), widths):
        pads[axis] = tuple(width)
    return _padded(g, x, pads, ndim)


@converter("Cropping1D", "Cropping2D")
def _cropping(g, layer, x):
    rank = 1 if type(layer).__name__ == "Cropping1D" else 2
    shape = input_shape(layer)
    axes = _channels_last_axes(layer, rank)
    crops = [layer.cropping] if rank == 1 else list(layer.cropping)
    starts = [c[0] for c in crops]
    ends = []
    for axis, (_, after) in zip(axes, crops):
        if shape[axis] is None and after:
            raise ValueError(f"ONNX export: {label(layer)} crops the end of an axis of unknown "
                             "size; build the model with a fixed input size")
        ends.append(shape[axis] - after if shape[axis] is not None else np.iinfo(np.int64).max)
    return g.node("Slice", [x, g.ints(starts, "starts"), g.ints(ends, "ends"),
                            g.ints(axes, "axes")])


@converter("UpSampling1D", "UpSampling2D")
def _upsampling(g, layer, x):
    if type(layer).__name__ == "UpSampling1D":
        sizes = [layer.size]
        axes = [1]
    else:
        sizes = list(layer.size)
        axes = _channels_last_axes(layer, 2)
        if layer.interpolation == "bilinear":
            from ..layers.preprocessing import Resizing

            first = layer.data_format == "channels_first"
            if first:
                x = g.transpose(x, (0, 2, 3, 1))
            shape = input_shape(layer)
            rows, cols = (shape[2], shape[3]) if first else (shape[1], shape[2])
            if rows is None or cols is None:
                raise ValueError(f"ONNX export: {label(layer)} needs a fixed input size")
            resizer = Resizing(rows * sizes[0], cols * sizes[1], dtype=layer.dtype,
                               name=f"{layer.name}_resize")
            y = _interpolate(g, layer, x, resizer, rows, cols)
            return g.transpose(y, (0, 3, 1, 2)) if first else y
    rank = len(input_shape(layer))
    scales = [1.0] * rank
    for axis, size in zip(axes, sizes):
        scales[axis] = float(size)
    # integer factors with "asymmetric" coordinates and floor: each value repeated, exactly
    return g.node("Resize", [x, "", g.constant(np.array(scales, dtype=np.float32), "scales",
                                               dtype=np.float32)],
                  mode="nearest", coordinate_transformation_mode="asymmetric",
                  nearest_mode="floor")


@converter("Permute")
def _permute(g, layer, x):
    return g.transpose(x, (0,) + tuple(layer.dims))


@converter("RepeatVector")
def _repeat_vector(g, layer, x):
    expanded = g.node("Unsqueeze", [x, g.ints([1], "axis")])
    return g.node("Tile", [expanded, g.ints([1, layer.n, 1], "repeats")])


# -- normalization and merging --------------------------------------------------------------------
@converter("UnitNormalization")
def _unit_normalization(g, layer, x):
    squares = g.reduce("Sum", g.node("Mul", [x, x]), list(layer.axis), keepdims=True)
    floor = g.node("Max", [squares, g.constant(1e-24, "tiny")])
    return g.node("Div", [x, g.node("Sqrt", [floor])])


@converter("GroupNormalization")
def _group_normalization(g, layer, x):
    shape = input_shape(layer)
    axis, channels = layer._axis, shape[layer._axis]
    if any(n is None for n in shape[1:]):
        raise ValueError(f"ONNX export: {label(layer)} needs a fixed input size")
    grouped = [-1] + [int(n) for n in shape[1:axis]] + [layer.groups, channels // layer.groups] \
        + [int(n) for n in shape[axis + 1:]]
    y = g.node("Reshape", [x, g.ints(grouped, "grouped")])
    reduce = [a for a in range(1, len(grouped)) if a != axis]
    mean = g.reduce("Mean", y, reduce, keepdims=True)
    centred = g.node("Sub", [y, mean])
    variance = g.reduce("Mean", g.node("Mul", [centred, centred]), reduce, keepdims=True)
    y = g.node("Div", [centred, g.node("Sqrt", [g.node("Add", [
        variance, g.constant(layer.epsilon, "epsilon")])])])
    y = g.node("Reshape", [y, g.ints([-1] + [int(n) for n in shape[1:]], "shape")])
    channel_shape = [channels if a == axis else 1 for a in range(1, len(shape))]
    if layer.gamma is not None:
        y = g.node("Mul", [y, g.constant(np.asarray(layer.gamma.numpy()).reshape(channel_shape),
                                         f"{layer.name}_gamma")])
    if layer.beta is not None:
        y = g.node("Add", [y, g.constant(np.asarray(layer.beta.numpy()).reshape(channel_shape),
                                         f"{layer.name}_beta")])
    return y


@converter("Normalization")
def _normalization(g, layer, x):
    mean, std = layer._statistics(np.dtype(layer.dtype))
    mean, std = (np.asarray(v.numpy() if hasattr(v, "numpy") else v) for v in (mean, std))
    mean, std = g.constant(mean, f"{layer.name}_mean"), g.constant(std, f"{layer.name}_std")
    if layer.invert:
        return g.node("Add", [g.node("Mul", [x, std]), mean])
    return g.node("Div", [g.node("Sub", [x, mean]), std])


def _categorical(g, layer, indices, depth):
    """Keras's encodings of int64 ``indices`` (see ``encode_categorical``)."""
    mode = layer.output_mode
    if mode == "int":
        return g.node("Cast", [indices], to=g.onnx.helper.np_dtype_to_tensor_dtype(
            np.dtype(layer.dtype)))
    shape = input_shape(layer)
    if mode == "one_hot" and not (len(shape) > 1 and shape[-1] == 1):
        raise ValueError(f"ONNX export: {label(layer)} one_hot of inputs with a last axis "
                         "other than 1 has no converter")
    hits = g.node("Cast", [g.node("Equal", [g.node("Unsqueeze", [indices, g.ints([-1], "axis")]),
                                            g.ints(np.arange(depth), "slots")])],
                  to=g.float_type())
    if mode in ("one_hot", "multi_hot"):
        return g.reduce("Max", hits, [-2], keepdims=False)
    if mode == "count":
        return g.reduce("Sum", hits, [-2], keepdims=False)
    raise ValueError(f"ONNX export: {label(layer)} output_mode={mode!r} has no converter")


@converter("Discretization")
def _discretization(g, layer, x):
    """The bin of each value: how many boundaries are at or below it."""
    boundaries = g.constant(np.asarray(layer.bin_boundaries, dtype=np.float64), "boundaries",
                            dtype=np.float64)
    values = g.node("Unsqueeze", [g.node("Cast", [x], to=g.onnx.TensorProto.DOUBLE),
                                  g.ints([-1], "axis")])
    above = g.node("Cast", [g.node("GreaterOrEqual", [values, boundaries])],
                   to=g.onnx.TensorProto.INT64)
    return _categorical(g, layer, g.reduce("Sum", above, [-1], keepdims=False),
                        len(layer.bin_boundaries) + 1)


@converter("CategoryEncoding")
def _category_encoding(g, layer, x):
    return _categorical(g, layer, g.node("Cast", [x], to=g.onnx.TensorProto.INT64),
                        layer.num_tokens)


@converter("Dot")
def _dot(g, layer, inputs):
    """Products along the layer's axes, as its call computes them: each input transposed and
    reshaped to a batch of matrices, one MatMul, the free axes restored."""
    x, y = inputs
    shapes = [tuple(s) for s in layer._build_input_shape]
    ax, ay = layer._resolved(shapes)
    if layer.normalize:
        x, y = _l2_normalized(g, x, ax), _l2_normalized(g, y, ay)
    if any(n is None for shape in shapes for n in shape[1:]):
        raise ValueError(f"ONNX export: {label(layer)} needs fixed input sizes")
    rest_x = [n for i, n in enumerate(shapes[0]) if i not in (0, ax)]
    rest_y = [n for i, n in enumerate(shapes[1]) if i not in (0, ay)]
    size = shapes[0][ax]
    x = g.transpose(x, [0] + [i for i in range(1, len(shapes[0])) if i != ax] + [ax])
    y = g.transpose(y, [0, ay] + [i for i in range(1, len(shapes[1])) if i != ay])
    x = g.node("Reshape", [x, g.ints([0, int(np.prod(rest_x, dtype=np.int64)), size], "shape")])
    y = g.node("Reshape", [y, g.ints([0, size, int(np.prod(rest_y, dtype=np.int64))], "shape")])
    out = g.node("MatMul", [x, y])
    return g.node("Reshape", [out, g.ints([0] + (rest_x + rest_y or [1]), "shape")])


def _l2_normalized(g, x, axis):
    squares = g.reduce("Sum", g.node("Mul", [x, x]), [axis], keepdims=True)
    floor = g.node("Max", [squares, g.constant(1e-24, "tiny")])
    return g.node("Div", [x, g.node("Sqrt", [floor])])
