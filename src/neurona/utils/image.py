"""Image files to arrays and back with Pillow (the optional ``image`` extra): ``load_img``,
``img_to_array``, ``array_to_img``, ``save_img`` (Keras's names)."""

import numpy as np

from ..validation import choice

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img"]

_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_CHANNEL_MODES = {1: "grayscale", 3: "rgb", 4: "rgba"}


def require_pillow(owner):
    """The ``PIL.Image`` module, or an ImportError naming the extra to install."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{owner} reads images with Pillow, which is not installed; install "
                          'it with pip install "neurona[image]" (or pip install pillow)') from None
    return Image


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Load an image file as a ``PIL.Image`` (Keras's ``load_img``).

    Args:
        path: the file.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: None or (height, width) to resize to.
        interpolation: Pillow's resampling filter: "nearest", "bilinear", "bicubic",
            "lanczos", "box" or "hamming".
        keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing.

    Returns:
        A ``PIL.Image``.

    Example:
        >>> img = load_img("cat.png", target_size=(64, 64))  # doctest: +SKIP
    """
    image_module = require_pillow("load_img")
    mode = _MODES[choice("load_img", "color_mode", color_mode, tuple(_MODES))]
    filters = {"nearest": image_module.Resampling.NEAREST,
               "bilinear": image_module.Resampling.BILINEAR,
               "bicubic": image_module.Resampling.BICUBIC,
               "lanczos": image_module.Resampling.LANCZOS, "box": image_module.Resampling.BOX,
               "hamming": image_module.Resampling.HAMMING}
    resample = filters[choice("load_img", "interpolation", interpolation, tuple(filters))]
    with image_module.open(path) as opened:
        image = opened.convert(mode)
    if target_size is not None:
        height, width = (int(n) for n in target_size)
        if keep_aspect_ratio:
            w, h = image.size
            crop_h, crop_w = min(h, w * height // width), min(w, h * width // height)
            top, left = (h - crop_h) // 2, (w - crop_w) // 2
            image = image.crop((left, top, left + crop_w, top + crop_h))
        if image.size != (width, height):
            image = image.resize((width, height), resample)
    return image


def img_to_array(img, data_format=None, dtype="float32"):
    """A ``PIL.Image`` as an array (height, width, channels), or channels first.

    Example:
        >>> img_to_array(array_to_img(np.zeros((2, 3, 3)))).shape  # doctest: +SKIP
        (2, 3, 3)
    """
    array = np.asarray(img, dtype=dtype)
    if array.ndim == 2:
        array = array[:, :, None]
    if (data_format or "channels_last") == "channels_first":
        array = array.transpose(2, 0, 1)
    return array


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """An array (height, width, channels) as a ``PIL.Image``; with ``scale`` the values are
    stretched to 0-255 first (Keras's default).

    Example:
        >>> array_to_img(np.zeros((2, 3, 1))).size  # doctest: +SKIP
        (3, 2)
    """
    image_module = require_pillow("array_to_img")
    x = np.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"array_to_img: expected an image (height, width, channels), got shape "
                         f"{x.shape}")
    if (data_format or "channels_last") == "channels_first":
        x = x.transpose(1, 2, 0)
    if x.shape[2] not in _CHANNEL_MODES:
        raise ValueError(f"array_to_img: an image needs 1, 3 or 4 channels, got {x.shape[2]}")
    if scale:
        x = x - x.min()
        top = x.max()
        if top > 0:
            x = x / top * 255.0
    pixels = np.clip(np.round(x), 0, 255).astype("uint8")
    return image_module.fromarray(pixels[:, :, 0] if x.shape[2] == 1 else pixels)


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an array as an image file (format from the extension or ``file_format``); extra
    keyword arguments go to ``PIL.Image.save`` (e.g. ``quality`` for JPEG)."""
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and (file_format or str(path).rsplit(".", 1)[-1]).lower() in (
            "jpg", "jpeg"):
        image = image.convert("RGB")
    image.save(path, format=file_format, **kwargs)


def load_image_array(path, channels):
    """The image at ``path`` as float32 (height, width, channels) with 0-255 values; GIFs give
    their first frame, as Keras reads them."""
    image = load_img(path, color_mode=_CHANNEL_MODES[channels])
    return img_to_array(image)
