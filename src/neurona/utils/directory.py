"""Data sets from folders of files: ``image_dataset_from_directory`` and
``text_dataset_from_directory`` (Keras's arguments, file order and splits).

Files are indexed as Keras does (class subfolders in alphanumeric order, each walked
recursively in sorted order, extensions filtered), shuffled with ``RandomState(seed)`` as Keras
shuffles them (so one seed gives the training/validation split Keras gives), and read lazily,
one batch at a time, by a :class:`~neurona.utils.PyDataset`. Images are decoded with Pillow (the
``image`` extra), imported only when an image data set is made.
"""

import os

import numpy as np

from ..random import draw_seed, make_generator
from ..validation import boolean, choice, integer, real
from .py_dataset import PyDataset

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory"]

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
TEXT_FORMATS = (".txt",)
LABEL_MODES = ("int", "categorical", "binary", None)


def _walk(directory, follow_links, formats):
    """Paths relative to ``directory`` of the files with one of ``formats``, sorted per folder."""
    found = []
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                found.append(os.path.relpath(os.path.join(root, name), directory))
    return found


def index_directory(owner, directory, labels, formats, class_names, shuffle, seed, follow_links):
    """``(file paths, int labels or None, class names or None)`` as Keras indexes a folder."""
    if not os.path.isdir(directory):
        raise ValueError(f"{owner}: directory {directory!r} does not exist or is not a folder")
    if labels == "inferred":
        subdirs = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            if sorted(class_names) != subdirs:
                raise ValueError(f"{owner}: class_names {list(class_names)} must name every "
                                 f"subfolder of {directory!r} once (in label order); they are "
                                 f"{subdirs}")
            subdirs = list(class_names)
        paths, label_list = [], []
        for index, sub in enumerate(subdirs):
            files = _walk(os.path.join(directory, sub), follow_links, formats)
            paths += [os.path.join(sub, f) for f in files]
            label_list += [index] * len(files)
        label_array = np.asarray(label_list, dtype="int32")
        names = subdirs
    else:
        if class_names is not None:
            raise ValueError(f"{owner}: class_names can only be given with labels='inferred' "
                             f"(got labels={labels!r})")
        paths = _walk(directory, follow_links, formats)
        if labels is None:
            label_array, names = None, None
        else:
            label_array = np.asarray(labels)
            if label_array.ndim != 1 or len(label_array) != len(paths):
                raise ValueError(f"{owner}: labels must be one per file; {directory!r} has "
                                 f"{len(paths)} files with formats {formats}, got "
                                 f"{len(label_array)} labels")
            names = [str(v) for v in sorted(set(label_array.tolist()))]
    if not paths:
        raise ValueError(f"{owner}: no files with formats {formats} found in {directory!r}")
    paths = [os.path.join(directory, p) for p in paths]
    if shuffle:
        # two RandomState(seed) shuffles, as Keras does: one seed, one split, in both libraries
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, names


def _check_common(owner, labels, label_mode, batch_size, validation_split, subset, shuffle,
                  seed):
    if not (labels in ("inferred", None) or isinstance(labels, (list, tuple, np.ndarray))):
        raise ValueError(f"{owner}: labels must be 'inferred', None or a list of labels, got "
                         f"labels={labels!r}")
    choice(owner, "label_mode", label_mode, LABEL_MODES)
    integer(owner, "batch_size", batch_size, low=1, allow_none=True)
    boolean(owner, "shuffle", shuffle)
    if validation_split is not None:
        real(owner, "validation_split", validation_split, 0.0, 1.0, low_open=True,
             high_open=True)
        choice(owner, "subset", subset, ("training", "validation", "both"))
        if shuffle and seed is None:
            raise ValueError(f"{owner}: with validation_split and shuffle=True, give a seed so "
                             "the training and validation subsets do not overlap")
    elif subset is not None:
        raise ValueError(f"{owner}: subset={subset!r} needs validation_split")
    seed = integer(owner, "seed", seed, low=0, allow_none=True)
    return draw_seed() if seed is None else seed


def _subsets(paths, labels, validation_split, subset):
    """``[(paths, labels)]`` for the requested subset(s): the last ``int(split * n)`` files
    validate, as in Keras."""
    if validation_split is None:
        return [(paths, labels)]
    n_val = int(validation_split * len(paths))
    cut = len(paths) - n_val
    if n_val == 0 or cut == 0:
        raise ValueError(f"validation_split={validation_split} leaves an empty subset with "
                         f"{len(paths)} files")
    parts = {"training": (paths[:cut], None if labels is None else labels[:cut]),
             "validation": (paths[cut:], None if labels is None else labels[cut:])}
    return list(parts.values()) if subset == "both" else [parts[subset]]


def encode_labels(labels, label_mode, num_classes):
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    return np.eye(num_classes, dtype="float32")[labels]


class FileDataset(PyDataset):
    """Files read one batch at a time: ``(inputs, labels)`` batches, or inputs alone when the
    data set has no labels. ``class_names`` and ``file_paths`` are as Keras names them."""

    def __init__(self, paths, labels, class_names, label_mode, batch_size, shuffle, seed,
                 read):
        super().__init__()
        self.file_paths, self.class_names = list(paths), class_names
        self._labels = None
        if labels is not None and label_mode is not None:
            if label_mode == "binary" and len(class_names) != 2:
                raise ValueError(f"label_mode='binary' needs exactly 2 classes, found "
                                 f"{len(class_names)}: {class_names}")
            self._labels = encode_labels(np.asarray(labels), label_mode, len(class_names))
        self.batch_size, self.shuffle = batch_size, shuffle
        self._read = read
        self._rng = make_generator(seed) if shuffle else None
        self._order = np.arange(len(self.file_paths))

    def __len__(self):
        if self.batch_size is None:
            return len(self.file_paths)
        return -(-len(self.file_paths) // self.batch_size)

    def __getitem__(self, index):
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"batch {index} out of range ({count} batches)")
        index %= count
        size = self.batch_size or 1
        rows = self._order[index * size:(index + 1) * size]
        x = np.stack([self._read(self.file_paths[i]) for i in rows])
        y = None if self._labels is None else self._labels[rows]
        if self.batch_size is None:
            x, y = x[0], None if y is None else y[0]
        return x if y is None else (x, y)

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(len(self.file_paths))


def _datasets(parts, class_names, label_mode, batch_size, shuffle, seed, read, subset):
    sets = [FileDataset(p, lab, class_names, label_mode, batch_size, shuffle, seed + i, read)
            for i, (p, lab) in enumerate(parts)]
    return tuple(sets) if subset == "both" else sets[0]


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, verbose=True):
    """A data set of images from class subfolders (Keras's ``image_dataset_from_directory``).

    ``directory/class_a/*.png, directory/class_b/*.jpg, ...`` gives ``(images, labels)``
    batches: images float32 ``(batch, height, width, channels)`` with values 0-255, labels the
    class index (``label_mode="int"``), one-hot (``"categorical"``) or a float 0/1 column
    (``"binary"``).

    Args:
        directory: the folder.
        labels: "inferred" (from the subfolders), None (no labels) or one label per file in
            the files' sorted order.
        label_mode: "int", "categorical", "binary" or None.
        class_names: the subfolders in label order (default sorted); all of them, as Keras.
        color_mode: "grayscale" (1 channel), "rgb" (3) or "rgba" (4).
        batch_size: images per batch, or None for one image per item.
        image_size: (height, width) every image is resized to.
        shuffle: shuffle the files (and the order every epoch).
        seed: seed of the shuffles and the split.
        validation_split, subset: keep the last fraction of the (shuffled) files for
            validation; subset "training", "validation" or "both" (a pair of data sets).
        interpolation: "bilinear" or "nearest".
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio, pad_to_aspect_ratio: keep the aspect ratio by cropping or by
            padding with zeros before resizing.
        data_format: "channels_last" (default) or "channels_first".
        verbose: print how many files and classes were found.

    Returns:
        A :class:`~neurona.utils.PyDataset` with ``class_names`` and ``file_paths``, or a pair
        of them for ``subset="both"``.

    Raises:
        ImportError: Pillow is missing (``pip install "neurona[image]"``).

    Example:
        >>> train = image_dataset_from_directory("photos", image_size=(64, 64),
        ...                                      validation_split=0.2, subset="training",
        ...                                      seed=0)  # doctest: +SKIP
    """
    owner = "image_dataset_from_directory"
    from .image import load_image_array, require_pillow

    require_pillow(owner)
    seed = _check_common(owner, labels, label_mode, batch_size, validation_split, subset,
                         shuffle, seed)
    channels = {"grayscale": 1, "rgb": 3, "rgba": 4}[choice(owner, "color_mode", color_mode,
                                                            ("grayscale", "rgb", "rgba"))]
    size = tuple(image_size) if isinstance(image_size, (list, tuple)) else ()
    if len(size) != 2:
        raise ValueError(f"{owner}: image_size must be (height, width), got {image_size!r}")
    height = integer(owner, "image_size[0]", size[0], low=1)
    width = integer(owner, "image_size[1]", size[1], low=1)
    choice(owner, "interpolation", interpolation, ("bilinear", "nearest"))
    channels_first = choice(owner, "data_format", data_format or "channels_last",
                            ("channels_last", "channels_first")) == "channels_first"
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{owner}: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both "
                         "be True")
    paths, label_array, names = index_directory(owner, directory, labels, IMAGE_FORMATS,
                                                class_names, shuffle, seed, follow_links)
    if verbose:
        print(f"Found {len(paths)} files" + ("." if names is None else
                                             f" belonging to {len(names)} classes."))
    from ..layers.preprocessing import Resizing

    resize = Resizing(height, width, interpolation=interpolation,
                      crop_to_aspect_ratio=bool(crop_to_aspect_ratio),
                      pad_to_aspect_ratio=bool(pad_to_aspect_ratio), dtype="float32")

    def read(path):
        image = resize(load_image_array(path, channels)).numpy()
        return image.transpose(2, 0, 1) if channels_first else image

    parts = _subsets(paths, label_array, validation_split, subset)
    return _datasets(parts, names, label_mode if label_array is not None else None, batch_size,
                     shuffle, seed, read, subset)


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A data set of texts from class subfolders of ``.txt`` files (Keras's
    ``text_dataset_from_directory``): ``(texts, labels)`` batches with ``texts`` a NumPy array
    of Python strings.

    Args:
        directory: the folder whose subfolders are the classes; ``labels``, ``label_mode``,
            ``class_names``, ``batch_size``, ``shuffle``, ``seed``, ``validation_split``,
            ``subset``, ``follow_links`` and ``verbose`` as for
            :func:`image_dataset_from_directory`.
        max_length: keep at most this many characters of each text.

    Returns:
        A :class:`~neurona.utils.PyDataset` with ``class_names`` and ``file_paths`` (a pair
        for ``subset="both"``).

    Example:
        >>> train = text_dataset_from_directory("aclImdb/train", batch_size=32)  # doctest: +SKIP
    """
    owner = "text_dataset_from_directory"
    seed = _check_common(owner, labels, label_mode, batch_size, validation_split, subset,
                         shuffle, seed)
    max_length = integer(owner, "max_length", max_length, low=1, allow_none=True)
    paths, label_array, names = index_directory(owner, directory, labels, TEXT_FORMATS,
                                                class_names, shuffle, seed, follow_links)
    if verbose:
        print(f"Found {len(paths)} files" + ("." if names is None else
                                             f" belonging to {len(names)} classes."))

    def read(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return np.asarray(text if max_length is None else text[:max_length], dtype=object)

    parts = _subsets(paths, label_array, validation_split, subset)
    return _datasets(parts, names, label_mode if label_array is not None else None, batch_size,
                     shuffle, seed, read, subset)
