"""What the Keras-format tests ask real Keras 3 to do, run in a separate process.

Keras runs on JAX, whose threads make any later ``fork`` of the test process unsafe (JAX warns
at every fork, and the tuner's workers fork): so Keras never enters the test process. The
tests call these functions through :func:`keras_process`, a one-worker pool started with
``spawn``; each takes and returns paths, NumPy arrays and plain values.
"""

import concurrent.futures
import contextlib
import multiprocessing
import os

import numpy as np

from .keras_cases import branching_graph, functional_graph

_keras = None


def _setup():
    os.environ["KERAS_BACKEND"] = "jax"
    global _keras
    import keras

    _keras = keras
    _register(keras)


@contextlib.contextmanager
def keras_process():
    """A pool of one spawned worker in which Keras 3 (JAX) runs; yields ``call(fn, *args)``."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context,
                                                initializer=_setup) as pool:
        yield lambda fn, *args: pool.submit(fn, *args).result(timeout=600)


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        layer.set_weights([np.abs(rng.normal(size=w.shape)).astype(w.dtype) + 0.5
                           for w in weights])


def _predict(model, x):
    out = model.predict(x, verbose=0)
    return {k: np.asarray(v) for k, v in out.items()} if isinstance(out, dict) else np.asarray(out)


def load_predict(path, x):
    """``(class name of the model's first layer or the model, predictions)`` after loading."""
    model = _keras.saving.load_model(path)
    first = model.layers[0] if model.layers and type(model).__name__ in (
        "Sequential",) else model
    return type(first).__name__, _predict(model, x)


def save_sequential(name, kwargs, shape, path, x, seed):
    model = _keras.Sequential([_keras.Input(shape), getattr(_keras.layers, name)(**kwargs)])
    _randomize(model, seed)
    model.save(path)
    return _predict(model, x)


def signed_weights(model, seed):
    """Small random weights of both signs (no unit saturates, so a permuted gate or a
    transposed kernel changes the outputs)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        layer.set_weights([(0.6 * rng.normal(size=w.shape)).astype(w.dtype)
                           for w in layer.get_weights()])


def save_case(builder, shape, path, x, seed):
    """Build a model with ``builder(keras, shape)``, give it random weights, save it."""
    model = builder(_keras, shape)
    signed_weights(model, seed)
    model.save(path)
    return _predict(model, x)


def has_tensorflow():
    """Keras 3's TextVectorization needs TensorFlow installed (on any backend)."""
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        return False
    return True


def _text_model(settings, texts):
    settings = dict(settings)
    adapt = settings.pop("adapt", None)
    layer = _keras.layers.TextVectorization(**settings)
    if adapt is not None:
        layer.adapt(adapt)
    return _keras.Sequential([_keras.Input((1,), dtype="string"), layer])


def save_text(settings, path, texts):
    """A TextVectorization model saved; ``(vocabulary, outputs)`` (the layer called directly:
    Keras's predict on JAX takes no strings)."""
    model = _text_model(settings, texts)
    model.save(path)
    layer = model.layers[0]
    return [str(t) for t in layer.get_vocabulary()], np.asarray(layer(texts))


def load_text(path, texts):
    layer = _keras.saving.load_model(path).layers[0]
    return [str(t) for t in layer.get_vocabulary()], np.asarray(layer(texts))


def save_activation(activation, path, x):
    model = _keras.Sequential([_keras.Input((x.shape[1],)),
                               _keras.layers.Dense(4, activation=activation)])
    model.save(path)
    return _predict(model, x)


def save_functional(path, x, seed):
    model = functional_graph(_keras)
    _randomize(model, seed)
    model.save(path)
    return _predict(model, x)


def branching_order():
    return [layer.name for layer in branching_graph(_keras).layers]


def save_branching(path, x, seed):
    model = branching_graph(_keras)
    _randomize(model, seed)
    model.save(path)
    return _predict(model, x)


def save_block(path, x, seed):
    model = _keras.saving.get_registered_object("travel>KerasBlock")(units=6)
    model(x)
    _randomize(model, seed)
    model.save(path)
    return _predict(model, x)


def fine_tune(path_in, path_out, x, y):
    """Load a model neurona trained, check its step count, train 2 more epochs, save."""
    model = _keras.saving.load_model(path_in)
    steps = int(model.optimizer.iterations.numpy())
    model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    model.save(path_out)
    return steps, _predict(model, x)


def save_scheduled(path, x, y):
    schedule = _keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5)
    model = _keras.Sequential([_keras.Input((4,)), _keras.layers.Dense(1)])
    model.compile(optimizer=_keras.optimizers.Adam(schedule), loss="mae",
                  metrics=["mse", _keras.metrics.RootMeanSquaredError()])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(path)
    return {k: float(v) for k, v in model.evaluate(x, y, verbose=0, return_dict=True).items()}


def _conv(shape):
    L = _keras.layers
    return _keras.Sequential([_keras.Input(shape), L.Conv2D(3, 2), L.BatchNormalization(),
                              L.Flatten(), L.Dense(2)])


def save_conv(weights_path, whole_path, x, seed):
    model = _conv(x.shape[1:])
    _randomize(model, seed)
    model.save_weights(weights_path)
    model.save(whole_path)
    return _predict(model, x)


def load_conv_weights(path, x):
    model = _conv(x.shape[1:])
    model.load_weights(path)
    return _predict(model, x)


def save_dense_weights(path):
    model = _keras.Sequential([_keras.Input((4,)), _keras.layers.Dense(3),
                               _keras.layers.Dense(2)])
    model.save_weights(path)


def save_refused(folder):
    """Keras models using what neurona lacks, one file each."""
    L = _keras.layers
    models = {"renorm": [_keras.Input((4,)), L.BatchNormalization(renorm=True)],
              "lora": [_keras.Input((4,)), L.Dense(3, lora_rank=2)],
              "celu": [_keras.Input((4,)), L.Dense(2, activation="celu")],
              "conv": [_keras.Input((4, 4, 4, 1)), L.Conv3DTranspose(2, 2)]}
    for name, stack in models.items():
        _keras.Sequential(stack).save(os.path.join(folder, f"{name}.keras"))


def save_legacy(folder, inputs, targets, x, y):
    """Legacy .h5 files as Keras 3 still writes them: a functional model, a compiled and
    trained Sequential, and a weights-only file."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    model = functional_graph(_keras)
    _randomize(model, 0)
    model.compile(optimizer="adam", loss={"head": "mse", "side": "mse"})
    model.fit(inputs, targets, epochs=1, batch_size=16, verbose=0)
    model.save(os.path.join(folder, "m.h5"))
    L = _keras.layers
    sequential = _keras.Sequential([_keras.Input((4,)), L.Dense(3, activation="relu"),
                                    L.BatchNormalization(), L.Dense(1)])
    sequential.compile(optimizer="adam", loss="mse")
    sequential.fit(x, y, epochs=2, batch_size=16, verbose=0)
    sequential.save(os.path.join(folder, "s.h5"))
    with h5py.File(os.path.join(folder, "w.h5"), "w") as f:  # what save_weights("w.h5") wrote
        legacy_h5_format.save_weights_to_hdf5_group(f, sequential)
    return _predict(model, inputs), _predict(sequential, x)


def save_lambda_h5(path):
    model = _keras.Sequential([_keras.Input((3,)), _keras.layers.Lambda(lambda t: t * 2.0)])
    model.save(path)


def save_scaled(path, x, seed):
    scale = _keras.saving.get_registered_object("travel>Scale")
    model = _keras.Sequential([_keras.Input((x.shape[1],)), scale(3.0), _keras.layers.Dense(
        2, activation=_keras.saving.get_registered_object("travel>scaled_square"))])
    _randomize(model, seed)
    model.save(path)
    return _predict(model, x)


def _register(keras):
    """Keras's side of the custom objects: the same class names and registered names as
    neurona's in test_keras_format (Keras keys a custom layer's weights by its class name)."""

    @keras.saving.register_keras_serializable(package="travel")
    class KerasBlock(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = keras.layers.Dense(units, activation="relu")
            self.heads = [keras.layers.Dense(2), keras.layers.Dense(2)]

        def call(self, x):
            h = self.hidden(x)
            return self.heads[0](h) + self.heads[1](h)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    @keras.saving.register_keras_serializable(package="travel", name="scaled_square")
    def scaled_square(x):
        return 0.5 * x ** 2

    @keras.saving.register_keras_serializable(package="travel", name="Scale")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                          name="offset")

        def call(self, x):
            return x * self.factor + self.offset

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}
