"""Data that is not one array in memory: generators, iterators and iterables of batches
(a PyTorch DataLoader unchanged), in fit, evaluate and predict."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 5)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=[5]),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _batches(x, y, batch_size=16, forever=False):
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i:i + batch_size], y[i:i + batch_size]
        if not forever:
            return


def test_a_generator_trains_like_the_same_batches_from_arrays():
    x, y = _data()
    from_generator, from_arrays = _model(), _model()
    h1 = from_generator.fit(_batches(x, y, forever=True), steps_per_epoch=6, epochs=3,
                            verbose=0)
    h2 = from_arrays.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(from_generator.get_weights(), from_arrays.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_finite_generator_runs_one_epoch_then_says_it_ran_out():
    x, y = _data()
    model = _model()
    with pytest.warns(UserWarning, match="ran out of data at epoch 2.*steps_per_epoch"):
        history = model.fit(_batches(x, y), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1


class Batches:
    """An iterable (not an iterator): every epoch iterates it afresh, as a DataLoader."""

    def __init__(self, x, y, batch_size=16):
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __iter__(self):
        return _batches(self.x, self.y, self.batch_size)


def test_an_iterable_is_iterated_every_epoch_and_its_length_is_the_steps():
    x, y = _data()
    seen = []
    model = _model()
    model.fit(Batches(x, y), epochs=2, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(
                  on_epoch_begin=lambda epoch, logs: seen.append(model.history.params["steps"]))])
    assert len(model.history.history["loss"]) == 2 and seen == [6, 6]
    loss, accuracy = model.evaluate(Batches(x, y), verbose=0)
    reference = model.evaluate(x, y, batch_size=16, verbose=0)
    assert [loss, accuracy] == pytest.approx(reference, rel=1e-6)
    np.testing.assert_allclose(model.predict(Batches(x, y), verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


def test_a_pytorch_dataloader_works_unchanged():
    torch = pytest.importorskip("torch")
    x, y = _data()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.from_numpy(x), torch.from_numpy(y)), batch_size=16)
    model = _model()
    history = model.fit(loader, epochs=2, validation_data=loader, verbose=0)
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    reference = _model()
    reference.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_sample_weights_and_class_weights_from_a_generator():
    x, y = _data()

    def weighted():
        for xb, yb in _batches(x, y):
            yield xb, yb, np.where(yb[:, 0] > 0, 2.0, 1.0)

    model = _model()
    by_weights = model.fit(weighted(), epochs=1, verbose=0).history["loss"]
    other = _model()
    by_class = other.fit(_batches(x, y), class_weight={0: 1.0, 1: 2.0}, epochs=1,
                         verbose=0).history["loss"]
    assert by_weights == pytest.approx(by_class, rel=1e-6)


def test_a_generator_over_a_memory_mapped_file(tmp_path):
    x, y = _data(200)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    xs, ys = (np.load(tmp_path / f"{n}.npy", mmap_mode="r") for n in ("x", "y"))
    model = _model()
    history = model.fit(_batches(xs, ys, 20, forever=True), steps_per_epoch=10, epochs=2,
                        verbose=0)
    assert len(history.history["loss"]) == 2


def test_streams_refuse_what_they_cannot_honour():
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match="y must not be given when x is a generator"):
        model.fit(_batches(x, y), y, verbose=0)
    with pytest.raises(ValueError, match="validation_split needs arrays"):
        model.fit(_batches(x, y), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="yielded no batch"):
        model.fit(iter([]), verbose=0)
    with pytest.raises(ValueError, match=r"Labels out of range|expects labels in \[0, 1\]"):
        model.fit(_batches(x, y * 3), verbose=0)  # the first batch's labels are checked
