"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose (Keras 3 names, defaults and shapes).

Channels-last by default; ``data_format="channels_first"`` inputs are transposed to channels-last
around the convolution. Kernels keep Keras's layouts in both formats: ``(kh, kw, in, filters)``
for Conv2D and ``(kh, kw, filters, in)`` for Conv2DTranspose.
"""

from .. import activations
from .. import functions as F
from .. import registry, validation
from ..functions.conv import (FUSED_CONV_ACTIVATIONS, conv_output_length,
                              conv_transpose_output_length, normalize_tuple)
from .core import add_kernel_and_bias
from .layer import InputSpec, Layer, register_layer

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose"]

DATA_FORMATS = ("channels_last", "channels_first")


def standardize_data_format(layer, data_format):
    """None -> "channels_last" (Keras's default image_data_format); anything else checked."""
    return validation.choice(layer, "data_format", data_format,
                             (None,) + DATA_FORMATS) or "channels_last"


def standardize_padding(layer, padding, allowed):
    return validation.choice(layer, "padding",
                             padding.lower() if isinstance(padding, str) else padding, allowed)


def to_channels_last(x, data_format):
    if data_format == "channels_last":
        return x
    return F.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))


def to_channels_first(x, data_format):
    if data_format == "channels_last":
        return x
    return F.transpose(x, (0, x.ndim - 1) + tuple(range(1, x.ndim - 1)))


class BaseConv(Layer):
    """Shared configuration of the convolution layers (``rank`` 1 or 2 spatial axes).

    Args:
        filters: number of output channels (positive int).
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple; Keras forbids strides > 1 together with dilation_rate > 1.
        padding: "valid" or "same" ("causal" too for Conv1D).
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: int or tuple.
        groups: channel groups (dividing ``filters`` and the input channels): each group of
            ``filters // groups`` filters sees its own ``in_channels // groups`` channels.
        activation: name or callable; relu is applied in place inside the convolution.
        use_bias: add a bias per filter.
        kernel_initializer, bias_initializer: initializers ("glorot_uniform", "zeros").
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: projections applied after each optimizer step.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.
    """

    rank = 2
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **base):
        super().__init__(**base)
        what = type(self).__name__
        self.filters = validation.integer(what, "filters", filters, low=1)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, f"{what} kernel_size")
        self.strides = normalize_tuple(strides, self.rank, f"{what} strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, f"{what} dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{what}: strides > 1 is not supported together with dilation_rate "
                             f"> 1 (as in Keras), got strides={strides!r} and "
                             f"dilation_rate={dilation_rate!r}; set one of them to 1")
        self.groups = validation.integer(what, "groups", groups, low=1)
        if self.filters % self.groups:
            raise ValueError(f"{what}: filters={self.filters} must be divisible by "
                             f"groups={self.groups}; choose filters as a multiple of groups")
        self.padding = standardize_padding(what, padding, self.paddings)
        self.data_format = standardize_data_format(what, data_format)
        self.activation = activations.get(activation)
        self._activation_name = activations.serialize(self.activation)
        self._fused = (self._activation_name if self._activation_name in FUSED_CONV_ACTIVATIONS
                       else None)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self._activity_penalty = None
        if activity_regularizer is not None:
            from .. import regularizers

            self._activity_penalty = regularizers.get(activity_regularizer)

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape):
        return tuple(shape[1:-1] if self.data_format == "channels_last" else shape[2:])

    def _with_channels(self, batch, spatial, channels):
        if self.data_format == "channels_last":
            return (batch,) + tuple(spatial) + (channels,)
        return (batch, channels) + tuple(spatial)

    def _kernel_shape(self, in_channels):
        return self.kernel_size + (in_channels // self.groups, self.filters)

    def build(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} needs inputs with "
                             f"{self.rank + 2} dimensions (batch, {self.rank} spatial, channels), "
                             f"got shape {tuple(input_shape)}")
        in_channels = input_shape[self._channel_axis()]
        if in_channels is None:
            raise ValueError(f"{type(self).__name__} {self.name!r} needs a known channel "
                             f"dimension, got input shape {tuple(input_shape)}")
        if in_channels % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the {in_channels} input "
                             f"channels are not divisible by groups={self.groups}")
        self.compute_output_shape(input_shape)  # a kernel larger than the input fails here
        add_kernel_and_bias(self, self._kernel_shape(in_channels), self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): in_channels})

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        out = self.convolve(x, self._fused or "linear")
        if self._fused is None:
            out = self.activation(out)
        out = to_channels_first(out, self.data_format)
        if self._activity_penalty is not None:
            self.add_loss(self._activity_penalty(out) / out.shape[0])
        return out

    @property
    def fused_activation(self):
        """The activation the convolution applies inside its Function ("linear", "relu"), or
        None when it is applied after it (see :mod:`neurona.models.fusion`; a grouped
        convolution has no fused pooling kernel)."""
        return self._fused if self.groups == 1 else None

    @property
    def watches_output(self):
        """True when something reads this layer's own output beside the next layer (an
        activity regularizer): a graph rewrite must then keep that output."""
        return self._activity_penalty is not None

    def convolve(self, x, activation):
        """The convolution of channels-last ``x`` with this layer's kernel and bias, with a
        fused ``activation`` ("linear" or "relu")."""
        if self.groups > 1:
            out = F.grouped_conv(x, self.kernel, self.bias, self.groups, self.strides,
                                 self._explicit_padding(), self.dilation_rate)
            return F.relu(out) if activation == "relu" else out
        if self.rank == 1:
            return F.conv1d(x, self.kernel, self.bias, self.strides, self.padding,
                            self.dilation_rate, activation=activation)
        return F.conv2d(x, self.kernel, self.bias, self.strides, self.padding,
                        self.dilation_rate, activation=activation)

    def _explicit_padding(self):
        """``padding`` as F.grouped_conv takes it ("causal" is left padding only)."""
        if self.padding != "causal":
            return self.padding
        return [((k - 1) * d, 0) for k, d in zip(self.kernel_size, self.dilation_rate)]

    def compute_output_shape(self, input_shape):
        spatial = self._spatial(input_shape)
        out = tuple(conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: kernel_size {self.kernel_size} (dilation "
                f"{self.dilation_rate}) is larger than the input {spatial} with "
                f"padding={self.padding!r}; use padding='same', a smaller kernel_size or a "
                f"larger input")
        return self._with_channels(input_shape[0], out, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": self._activation_name, "use_bias": self.use_bias,
                "kernel_initializer": registry.serialize(self.kernel_initializer),
                "bias_initializer": registry.serialize(self.bias_initializer),
                "kernel_regularizer": registry.serialize(self.kernel_regularizer),
                "bias_regularizer": registry.serialize(self.bias_regularizer),
                "activity_regularizer": registry.serialize(self.activity_regularizer),
                "kernel_constraint": registry.serialize(self.kernel_constraint),
                "bias_constraint": registry.serialize(self.bias_constraint)}


@register_layer("Conv1D")
class Conv1D(BaseConv):
    """1-D convolution over (batch, steps, channels): ``activation(conv1d(x, kernel) + bias)``.

    Takes :class:`BaseConv`'s arguments with ints (or 1-tuples) for kernel_size, strides and
    dilation_rate, and padding "valid", "same" or "causal" (output t sees inputs <= t).
    The kernel has shape (kernel_size, in_channels, filters).

    Example:
        >>> Conv1D(4, 3, padding="causal")(np.ones((2, 10, 3))).shape
        (2, 10, 4)
    """

    traceable = True

    rank = 1
    paddings = ("valid", "same", "causal")


@register_layer("Conv2D")
class Conv2D(BaseConv):
    """2-D convolution over images: ``activation(conv2d(x, kernel) + bias)``.

    Takes :class:`BaseConv`'s arguments; kernel_size, strides and dilation_rate are ints or
    pairs. The kernel has shape (kh, kw, in_channels, filters). Inputs (batch, height, width,
    channels) give (batch, out_h, out_w, filters) with out = floor((n - (k-1)*d - 1) / s) + 1 for
    "valid" and ceil(n / s) for "same".

    Example:
        >>> Conv2D(8, 3, activation="relu")(np.ones((2, 28, 28, 1))).shape
        (2, 26, 26, 8)
    """

    traceable = True


class BaseConvTranspose(BaseConv):
    """Shared configuration of the transposed convolutions: :class:`BaseConv`'s arguments
    (no ``groups``) plus ``output_padding`` (None, or one int per spatial axis smaller than
    the strides: extra outputs at the end of that axis). The kernel has shape
    (*kernel_size, filters, in_channels), as in Keras; the activation is applied after the
    convolution (none is fused)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **base):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **base)
        what = type(self).__name__
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank,
                                                  f"{what} output_padding", minimum=0)
            if any(p >= s for p, s in zip(self.output_padding, self.strides)):
                raise ValueError(f"{what}: output_padding {_one_or_all(self.output_padding)} "
                                 f"must be smaller than strides {_one_or_all(self.strides)}")
        self._fused = None

    def _kernel_shape(self, in_channels):
        return self.kernel_size + (self.filters, in_channels)

    def compute_output_shape(self, input_shape):
        extra = self.output_padding or (None,) * self.rank
        out = tuple(conv_transpose_output_length(n, k, s, self.padding, p, d) for n, k, s, p, d
                    in zip(self._spatial(input_shape), self.kernel_size, self.strides, extra,
                           self.dilation_rate))
        return self._with_channels(input_shape[0], out, self.filters)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        padding = self.output_padding
        return {**config, "output_padding": None if padding is None else _one_or_all(padding)}


def _one_or_all(values):
    """A 1-tuple as its int (how Keras writes a 1-D layer's tuples), longer tuples as they are."""
    return values[0] if len(values) == 1 else values


@register_layer("Conv2DTranspose")
class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2-D convolution (the gradient of Conv2D with respect to its input): upsamples.

    Takes :class:`BaseConvTranspose`'s arguments (pairs or ints; ``output_padding`` adds
    rows/columns at the bottom/right). The kernel has shape (kh, kw, filters, in_channels), as
    in Keras. Output size per axis: n * s + max(k - s, 0) for "valid", n * s for "same" (k the
    dilated kernel size) when output_padding is None.

    Example:
        >>> Conv2DTranspose(4, 3, strides=2, padding="same")(np.ones((2, 7, 7, 8))).shape
        (2, 14, 14, 4)
    """

    traceable = True

    def convolve(self, x, activation):
        """The transposed convolution of channels-last ``x`` (``activation`` is always
        "linear" here: the layer's is applied after it)."""
        return F.conv2d_transpose(x, self.kernel, self.bias, self.strides, self.padding,
                                  self.output_padding, self.dilation_rate)
