"""``keras.preprocessing``: the tf.keras-era names examples still use, resolving to the same
objects as :mod:`neurona.utils` (``keras.preprocessing.sequence.pad_sequences`` is
``keras.utils.pad_sequences``)."""

from ..utils import (image_dataset_from_directory, text_dataset_from_directory,
                     timeseries_dataset_from_array)
from . import image, sequence

__all__ = ["image", "sequence", "image_dataset_from_directory", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
