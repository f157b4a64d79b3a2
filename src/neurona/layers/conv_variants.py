"""Convolution variants: Conv3D, Conv1DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D
(Keras 3's names, arguments, weight names and shapes).

Conv3D and Conv1DTranspose are :class:`~neurona.layers.conv.BaseConv` layers of another rank
(Conv3D takes ``groups`` as Conv1D and Conv2D do). The depthwise and separable
layers have their own weights (``kernel`` / ``depthwise_kernel`` and ``pointwise_kernel``, as
Keras names them) and share :class:`_SpatialConv`'s configuration.
"""

import numbers

from .. import activations, constraints, initializers, regularizers, registry
from .. import functions as F
from ..functions.conv import conv_output_length, normalize_tuple
from ..validation import integer
from .conv import (BaseConv, BaseConvTranspose, standardize_data_format, standardize_padding,
                   to_channels_first, to_channels_last)
from .layer import InputSpec, Layer, register_layer

__all__ = ["Conv3D", "Conv1DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
           "SeparableConv1D", "SeparableConv2D"]


@register_layer("Conv3D")
class Conv3D(BaseConv):
    """3-D convolution over volumes (batch, depth, height, width, channels).

    Takes :class:`~neurona.layers.conv.BaseConv`'s arguments with triples (or ints) for
    kernel_size, strides and dilation_rate, and ``groups`` (dividing the input channels and
    ``filters``: each group of filters sees its own group of channels). The kernel has shape
    (kd, kh, kw, in_channels // groups, filters).

    Example:
        >>> Conv3D(4, 3, padding="same")(np.ones((1, 5, 5, 5, 2))).shape
        (1, 5, 5, 5, 4)
    """

    traceable = True

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **base):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **base)

    def convolve(self, x, activation):
        out = F.conv3d(x, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
                       self.groups)
        return F.relu(out) if activation == "relu" else out


@register_layer("Conv1DTranspose")
class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1-D convolution (upsamples sequences), Keras's ``Conv1DTranspose``.

    Takes :class:`~neurona.layers.conv.BaseConvTranspose`'s arguments (ints for kernel_size,
    strides, dilation_rate and output_padding; padding "valid" or "same"). The kernel has shape
    (kernel_size, filters, in_channels).

    Example:
        >>> Conv1DTranspose(4, 3, strides=2, padding="same")(np.ones((2, 5, 3))).shape
        (2, 10, 4)
    """

    traceable = True

    rank = 1

    def convolve(self, x, activation):
        return F.conv1d_transpose(x, self.kernel, self.bias, self.strides, self.padding,
                                  self.output_padding, self.dilation_rate)


class _SpatialConv(Layer):
    """Configuration shared by the depthwise and separable convolutions (``rank`` 1 or 2)."""

    rank = 2

    def __init__(self, kernel_size, strides, padding, data_format, dilation_rate,
                 depth_multiplier, activation, use_bias, activity_regularizer, **base):
        super().__init__(**base)
        what = type(self).__name__
        self.kernel_size = normalize_tuple(kernel_size, self.rank, f"{what} kernel_size")
        self.strides = normalize_tuple(strides, self.rank, f"{what} strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, f"{what} dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{what}: strides > 1 is not supported together with dilation_rate "
                             f"> 1 (as in Keras); set one of them to 1")
        self.padding = standardize_padding(what, padding, ("valid", "same"))
        self.data_format = standardize_data_format(what, data_format)
        self.depth_multiplier = integer(what, "depth_multiplier", depth_multiplier, low=1)
        self.activation = activations.get(activation)
        self._activation_name = activations.serialize(self.activation)
        self.use_bias = bool(use_bias)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def _channels(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} needs inputs with "
                             f"{self.rank + 2} dimensions (batch, {self.rank} spatial, channels), "
                             f"got shape {tuple(input_shape)}")
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        if channels is None:
            raise ValueError(f"{type(self).__name__} {self.name!r} needs a known channel "
                             f"dimension, got input shape {tuple(input_shape)}")
        self.compute_output_shape(input_shape)  # a kernel larger than the input fails here
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={
            -1 if self.data_format == "channels_last" else 1: channels})
        return channels

    def _depthwise(self, x):
        x = x if self.rank == 2 else F.reshape(x, (x.shape[0], 1) + tuple(x.shape[1:]))
        kernel = self.depthwise_weight if self.rank == 2 else F.reshape(
            self.depthwise_weight, (1,) + tuple(self.depthwise_weight.shape))
        ones = (1,) if self.rank == 1 else ()
        out = F.depthwise_conv(x, kernel, None, ones + self.strides, self.padding,
                               ones + self.dilation_rate)
        return out if self.rank == 2 else F.reshape(out, (out.shape[0],) + tuple(out.shape[2:]))

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        out = self._finish(self._depthwise(x))
        out = to_channels_first(self.activation(out), self.data_format)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(out) / out.shape[0])
        return out

    def _spatial_out(self, input_shape):
        spatial = tuple(input_shape[1:-1] if self.data_format == "channels_last"
                        else input_shape[2:])
        out = tuple(conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if any(n is not None and n <= 0 for n in out):
            raise ValueError(f"{type(self).__name__} {self.name!r}: kernel_size "
                             f"{self.kernel_size} is larger than the input {spatial} with "
                             f"padding={self.padding!r}; use padding='same' or a smaller kernel")
        return out

    def _shape_with(self, input_shape, channels):
        out = self._spatial_out(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (channels,)
        return (input_shape[0], channels) + out

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "depth_multiplier": self.depth_multiplier, "activation": self._activation_name,
                "use_bias": self.use_bias,
                "activity_regularizer": registry.serialize(self.activity_regularizer)}


def _weight_args(prefix, initializer, regularizer, constraint):
    return {f"{prefix}_initializer": initializers.get(initializer),
            f"{prefix}_regularizer": regularizers.get(regularizer),
            f"{prefix}_constraint": constraints.get(constraint)}


class _DepthwiseBase(_SpatialConv):
    """Each input channel convolved with its own ``depth_multiplier`` filters."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **base):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, activity_regularizer, **base)
        self._weight_settings = {**_weight_args("depthwise", depthwise_initializer,
                                        depthwise_regularizer, depthwise_constraint),
                         **_weight_args("bias", bias_initializer, bias_regularizer,
                                        bias_constraint)}

    def build(self, input_shape):
        channels = self._channels(input_shape)
        w = self._weight_settings
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=w["depthwise_initializer"], regularizer=w["depthwise_regularizer"],
            constraint=w["depthwise_constraint"], name="kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(channels * self.depth_multiplier,),
                                        initializer=w["bias_initializer"],
                                        regularizer=w["bias_regularizer"],
                                        constraint=w["bias_constraint"], name="bias")

    @property
    def depthwise_weight(self):
        return self.kernel

    def _finish(self, out):
        return out if self.bias is None else F.add(out, self.bias)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        return self._shape_with(input_shape, None if channels is None
                                else channels * self.depth_multiplier)

    def get_config(self):
        return {**super().get_config(),
                **{k: registry.serialize(v) for k, v in self._weight_settings.items()}}


@register_layer("DepthwiseConv2D")
class DepthwiseConv2D(_DepthwiseBase):
    """Depthwise 2-D convolution (Keras's ``DepthwiseConv2D``): each of the C input channels
    gets ``depth_multiplier`` filters of its own; the output has C * depth_multiplier channels
    (channel ``c * depth_multiplier + m``). The kernel is (kh, kw, C, depth_multiplier).

    Args:
        kernel_size, strides, padding, data_format, dilation_rate: as for Conv2D.
        depth_multiplier: filters per input channel.
        activation, use_bias: as for Conv2D.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel.
        bias_initializer, bias_regularizer, bias_constraint, activity_regularizer: as Conv2D.

    Example:
        >>> DepthwiseConv2D(3, depth_multiplier=2)(np.ones((1, 6, 6, 3))).shape
        (1, 4, 4, 6)
    """

    traceable = True

    rank = 2


@register_layer("DepthwiseConv1D")
class DepthwiseConv1D(_DepthwiseBase):
    """Depthwise 1-D convolution over (batch, steps, channels); see :class:`DepthwiseConv2D`.

    Example:
        >>> DepthwiseConv1D(3)(np.ones((1, 8, 2))).shape
        (1, 6, 2)
    """

    traceable = True

    rank = 1


class _SeparableBase(_SpatialConv):
    """A depthwise convolution followed by a 1 x 1 convolution to ``filters`` channels."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **base):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, activity_regularizer, **base)
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters < 1:
            raise ValueError(f"{type(self).__name__}: filters must be a positive int, got "
                             f"{filters!r}")
        self.filters = int(filters)
        self._weight_settings = {
            **_weight_args("depthwise", depthwise_initializer, depthwise_regularizer,
                           depthwise_constraint),
            **_weight_args("pointwise", pointwise_initializer, pointwise_regularizer,
                           pointwise_constraint),
            **_weight_args("bias", bias_initializer, bias_regularizer, bias_constraint)}

    def build(self, input_shape):
        channels = self._channels(input_shape)
        w = self._weight_settings
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=w["depthwise_initializer"], regularizer=w["depthwise_regularizer"],
            constraint=w["depthwise_constraint"], name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=w["pointwise_initializer"], regularizer=w["pointwise_regularizer"],
            constraint=w["pointwise_constraint"], name="pointwise_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer=w["bias_initializer"],
                                        regularizer=w["bias_regularizer"],
                                        constraint=w["bias_constraint"], name="bias")

    @property
    def depthwise_weight(self):
        return self.depthwise_kernel

    def _finish(self, out):
        conv = F.conv2d if self.rank == 2 else F.conv1d
        return conv(out, self.pointwise_kernel, self.bias)

    def compute_output_shape(self, input_shape):
        return self._shape_with(input_shape, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                **{k: registry.serialize(v) for k, v in self._weight_settings.items()}}


@register_layer("SeparableConv2D")
class SeparableConv2D(_SeparableBase):
    """Depthwise-separable 2-D convolution (Keras's ``SeparableConv2D``): a depthwise
    convolution (``depthwise_kernel`` (kh, kw, C, depth_multiplier)) then a 1 x 1 convolution
    (``pointwise_kernel`` (1, 1, C * depth_multiplier, filters)) plus the bias; far fewer
    weights than a Conv2D of the same size.

    Args:
        filters: output channels.
        kernel_size: with ``strides``, ``padding``, ``data_format``, ``dilation_rate``,
            ``depth_multiplier``, ``activation`` and ``use_bias``: as for Conv2D /
            DepthwiseConv2D.
        depthwise_*, pointwise_*, bias_* initializer / regularizer / constraint: per weight.
        activity_regularizer: penalty on the output.

    Example:
        >>> SeparableConv2D(8, 3, padding="same")(np.ones((1, 6, 6, 3))).shape
        (1, 6, 6, 8)
    """

    traceable = True

    rank = 2


@register_layer("SeparableConv1D")
class SeparableConv1D(_SeparableBase):
    """Depthwise-separable 1-D convolution; see :class:`SeparableConv2D`.

    Example:
        >>> SeparableConv1D(4, 3)(np.ones((1, 8, 2))).shape
        (1, 6, 4)
    """

    traceable = True

    rank = 1
