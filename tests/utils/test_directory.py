"""image_dataset_from_directory and text_dataset_from_directory: Keras's file order, labels
and training/validation split for a seed (compared with Keras's own indexing), decoded
images and texts in batches, and clear errors."""

import numpy as np
import pytest

import neurona as keras

from ..helpers import real_keras

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def photos(tmp_path):
    """3 classes of small PNG/JPEG images whose pixels encode (class, number)."""
    root = tmp_path / "photos"
    for label, name in enumerate(["cat", "dog", "emu"]):
        (root / name / "more").mkdir(parents=True)
        for i in range(4 + label):
            pixels = np.full((6, 8, 3), 10 * label + i, dtype="uint8")
            where = root / name / ("more" if i == 0 else "") / f"img{i}.png"
            Image.fromarray(pixels).save(where)
        (root / name / "notes.txt").write_text("not an image")
    return root


def _keras_index(directory, formats, seed):
    real_keras()
    from keras.src.utils.dataset_utils import index_directory

    return index_directory(str(directory), "inferred", formats=formats, shuffle=True,
                           seed=seed, verbose=False)


def test_images_in_keras_order_with_the_same_split(photos):
    paths, labels, names = _keras_index(photos, (".bmp", ".gif", ".jpeg", ".jpg", ".png"), 7)
    train, val = keras.utils.image_dataset_from_directory(
        photos, image_size=(6, 8), batch_size=4, seed=7, validation_split=0.25, subset="both",
        verbose=False)
    assert train.class_names == names == ["cat", "dog", "emu"]
    n_val = int(0.25 * len(paths))
    assert train.file_paths == list(paths[:-n_val]) and val.file_paths == list(paths[-n_val:])
    images, got = next(iter(train))
    assert images.shape == (4, 6, 8, 3) and images.dtype == np.float32
    np.testing.assert_array_equal(got, labels[:4])
    for image, label in zip(images, got):  # the pixel value says which class the file is
        assert int(image[0, 0, 0]) // 10 == label


def test_label_modes_color_modes_and_resizing(photos):
    data = keras.utils.image_dataset_from_directory(
        photos, label_mode="categorical", color_mode="grayscale", image_size=(3, 4),
        shuffle=False, batch_size=None, verbose=False)
    image, label = data[0]
    assert image.shape == (3, 4, 1) and label.tolist() == [1.0, 0.0, 0.0]
    assert len(data) == 4 + 5 + 6
    reordered = keras.utils.image_dataset_from_directory(
        photos, class_names=["emu", "cat", "dog"], image_size=(6, 8), shuffle=False,
        verbose=False)
    _, labels = reordered[0]
    assert reordered.class_names == ["emu", "cat", "dog"] and labels.tolist()[:8] == \
        [0] * 6 + [1] * 2
    first = keras.utils.image_dataset_from_directory(
        photos, labels=None, image_size=(6, 8), data_format="channels_first", shuffle=False,
        verbose=False)[0]
    assert first.shape == (15, 3, 6, 8)
    assert keras.preprocessing.image_dataset_from_directory is \
        keras.utils.image_dataset_from_directory


def test_text_dataset(tmp_path):
    root = tmp_path / "reviews"
    for label in ("neg", "pos"):
        (root / label).mkdir(parents=True)
        for i in range(3):
            (root / label / f"{i}.txt").write_text(f"{label} review number {i}",
                                                    encoding="utf-8")
    paths, labels, _ = _keras_index(root, (".txt",), 11)
    data = keras.utils.text_dataset_from_directory(root, batch_size=2, seed=11, max_length=10,
                                                   verbose=False)
    assert data.file_paths == list(paths)
    texts, got = data[0]
    assert [len(t) for t in texts] == [10, 10]
    np.testing.assert_array_equal(got, labels[:2])
    assert all(t.startswith(["neg", "pos"][y]) for t, y in zip(texts, got))
    model_input = keras.utils.text_dataset_from_directory(root, labels=None, shuffle=False,
                                                          verbose=False)[0]
    assert model_input[0] == "neg review number 0"


def test_bad_arguments_are_named(tmp_path, photos):
    with pytest.raises(ValueError, match="does not exist"):
        keras.utils.image_dataset_from_directory(tmp_path / "missing", verbose=False)
    with pytest.raises(ValueError, match="give a seed"):
        keras.utils.image_dataset_from_directory(photos, validation_split=0.2,
                                                 subset="training", verbose=False)
    with pytest.raises(ValueError, match="subset='training' needs validation_split"):
        keras.utils.image_dataset_from_directory(photos, subset="training", verbose=False)
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes"):
        keras.utils.image_dataset_from_directory(photos, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="must name every subfolder"):
        keras.utils.image_dataset_from_directory(photos, class_names=["cow"], verbose=False)
    empty = tmp_path / "empty" / "a"
    empty.mkdir(parents=True)
    with pytest.raises(ValueError, match="no files with formats"):
        keras.utils.text_dataset_from_directory(empty.parent, verbose=False)


def test_without_pillow_the_error_names_the_extra(photos, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'pip install "neurona\[image\]"'):
        keras.utils.image_dataset_from_directory(photos, verbose=False)
