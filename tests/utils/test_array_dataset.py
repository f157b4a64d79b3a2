"""timeseries_dataset_from_array gives Keras 3's windows and targets (compared with Keras's
own function, Grain format), ArrayDataset serves arrays as batches, split_dataset splits by
samples; all are PyDatasets."""

import numpy as np
import pytest

import neurona as keras
from neurona.utils import ArrayDataset, PyDataset, split_dataset

from ..helpers import real_keras

TIMESERIES_CASES = [
    dict(sequence_length=5, batch_size=4),
    dict(sequence_length=3, sequence_stride=2, sampling_rate=2, batch_size=3),
    dict(sequence_length=4, start_index=3, end_index=30, batch_size=5),
    dict(sequence_length=6, sampling_rate=3, batch_size=128),
]


@pytest.mark.parametrize("kwargs", TIMESERIES_CASES)
@pytest.mark.parametrize("with_targets", [True, False])
def test_timeseries_matches_keras(kwargs, with_targets):
    real = real_keras()
    pytest.importorskip("grain")
    data = np.arange(80.0).reshape(40, 2)
    targets = np.arange(40) * 10 if with_targets else None
    ours = keras.utils.timeseries_dataset_from_array(data, targets, **kwargs)
    theirs = list(real.utils.timeseries_dataset_from_array(data, targets, format="grain",
                                                           **kwargs))
    assert isinstance(ours, PyDataset) and len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        if with_targets:
            np.testing.assert_array_equal(mine[0], np.asarray(reference[0]))
            np.testing.assert_array_equal(mine[1], np.asarray(reference[1]))
        else:
            np.testing.assert_array_equal(mine, np.asarray(reference))
    assert keras.preprocessing.timeseries_dataset_from_array is \
        keras.utils.timeseries_dataset_from_array


def test_timeseries_shuffle_keeps_the_windows_and_reshuffles_each_epoch():
    data = np.arange(30.0)
    plain = keras.utils.timeseries_dataset_from_array(data, None, 4, batch_size=None)
    mixed = keras.utils.timeseries_dataset_from_array(data, None, 4, batch_size=None,
                                                      shuffle=True, seed=1)
    first = [tuple(w) for w in mixed]
    assert sorted(first) == [tuple(w) for w in plain] and first != [tuple(w) for w in plain]
    mixed.on_epoch_end()
    assert [tuple(w) for w in mixed] != first


def test_timeseries_trains_a_model():
    series = np.sin(np.arange(300) / 8.0).astype("float32")[:, None]
    windows = keras.utils.timeseries_dataset_from_array(series[:-10], series[10:, 0], 10,
                                                        batch_size=300)
    x, y = windows[0]
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]


def test_array_dataset_batches_shuffles_and_batches_again():
    x, y, w = np.arange(10.0)[:, None], np.arange(10), np.ones(10)
    data = ArrayDataset(x, y, w, batch_size=4)
    assert len(data) == 3 and data[2][0].ravel().tolist() == [8.0, 9.0]
    assert [len(batch) for batch in data] == [3, 3, 3]  # (x, y, sample_weight)
    mixed = ArrayDataset({"a": x, "b": x * 2}, y, batch_size=None, shuffle=True, seed=0)
    order = [int(sample[1]) for sample in mixed]
    assert sorted(order) == list(range(10)) and order != list(range(10))
    assert all(sample[0]["b"] == 2 * sample[0]["a"] for sample in mixed)
    batched = mixed.batch(5)
    assert [b[1].tolist() for b in batched] == [order[:5], order[5:]]
    with pytest.raises(ValueError, match="same number of samples"):
        ArrayDataset(x, y[:5])
    with pytest.raises(IndexError, match="out of range"):
        data[3]


def test_split_dataset_by_fraction_count_and_from_a_pydataset():
    x, y = np.arange(20.0)[:, None], np.arange(20)
    left, right = split_dataset((x, y), left_size=0.75)
    assert (len(left), len(right)) == (15, 5)
    assert right[0][1] == 15 and left.batch(4)[0][0].ravel().tolist() == [0.0, 1.0, 2.0, 3.0]
    left, right = split_dataset(x, right_size=3, shuffle=True, seed=2)
    values = sorted(float(v[0]) for v in list(left) + list(right))
    assert values == [float(i) for i in range(20)] and len(right) == 3
    left, right = split_dataset(ArrayDataset(x, y, batch_size=6), left_size=10)
    assert [int(s[1]) for s in right] == list(range(10, 20))
    with pytest.raises(ValueError, match="give left_size or right_size"):
        split_dataset(x)
    with pytest.raises(ValueError, match="at least one sample"):
        split_dataset(x, left_size=15, right_size=10)
    with pytest.raises(TypeError, match="expected arrays"):
        split_dataset("data.csv", left_size=0.5)


def test_timeseries_bad_arguments_are_named():
    with pytest.raises(ValueError, match="sequence_length must be an integer >= 1"):
        keras.utils.timeseries_dataset_from_array(np.ones(5), None, 0)
    with pytest.raises(ValueError, match="no window of sequence_length=9"):
        keras.utils.timeseries_dataset_from_array(np.ones(5), None, 9)
    with pytest.raises(ValueError, match="start_index < end_index"):
        keras.utils.timeseries_dataset_from_array(np.ones(5), None, 2, start_index=4,
                                                  end_index=2)
