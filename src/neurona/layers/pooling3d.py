"""3-D pooling layers: MaxPooling3D, AveragePooling3D, GlobalMaxPooling3D,
GlobalAveragePooling3D (Keras 3's names, arguments and shapes)."""

from .. import functions as F
from .conv import to_channels_first, to_channels_last
from .layer import register_layer
from .pooling import BaseGlobalPooling, BasePooling

__all__ = ["MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D"]


class _Pooling3D(BasePooling):
    rank = 3

    def call(self, inputs):
        pool = F.max_pool3d if self.mode == "max" else F.avg_pool3d
        x = to_channels_last(inputs, self.data_format)
        return to_channels_first(pool(x, self.pool_size, self.strides, self.padding),
                                 self.data_format)


@register_layer("MaxPooling3D")
class MaxPooling3D(_Pooling3D):
    """Maximum over windows of (batch, depth, height, width, channels) inputs; arguments as
    MaxPooling2D with triples (``pool_size`` default 2 per axis).

    Example:
        >>> MaxPooling3D()(np.ones((1, 4, 4, 4, 2))).shape
        (1, 2, 2, 2, 2)
    """

    traceable = True

    mode = "max"


@register_layer("AveragePooling3D")
class AveragePooling3D(_Pooling3D):
    """Mean over windows of (batch, depth, height, width, channels) inputs ("same" padding
    averages the real elements only).

    Example:
        >>> AveragePooling3D(2, padding="same")(np.ones((1, 3, 3, 3, 1))).shape
        (1, 2, 2, 2, 1)
    """

    traceable = True

    mode = "avg"


@register_layer("GlobalMaxPooling3D")
class GlobalMaxPooling3D(BaseGlobalPooling):
    """Maximum over depth, height and width.

    Example:
        >>> GlobalMaxPooling3D()(np.ones((2, 3, 3, 3, 4))).shape
        (2, 4)
    """

    traceable = True

    rank, mode = 3, "max"


@register_layer("GlobalAveragePooling3D")
class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over depth, height and width.

    Example:
        >>> GlobalAveragePooling3D()(np.ones((2, 3, 3, 3, 4))).shape
        (2, 4)
    """

    traceable = True

    rank, mode = 3, "avg"
