"""``keras.preprocessing.image``: image files to arrays and back (Pillow)."""

from ..utils.image import array_to_img, img_to_array, load_img, save_img

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img"]
