"""What each engine runs: training one workload, predict latency, training memory, the floor.

Every function here runs inside a worker subprocess that has already pinned its threads
(see ``worker.py``). Engines are imported lazily, inside the functions, so that a worker only
loads the engine it measures.
"""

from __future__ import annotations

import gc
import os
import time
import warnings

import numpy as np

from common import (MLP_WIDTHS, SEQ_STEPS, SEQ_WIDTH, TEXT_STEPS, TEXT_VOCAB, WORKLOADS,
                    make_data, median)

perf = time.perf_counter


# --------------------------------------------------------------------------------------------
# Keras API (neurona and Keras 3 run the very same code)
# --------------------------------------------------------------------------------------------

def build_keras_model(keras, layers, key: str):
    """The workload's model written as a Keras user writes it (``keras`` may be neurona)."""
    if key == "W1":
        model = keras.Sequential([
            layers.Dense(512, activation="relu", input_shape=[11]),
            layers.Dense(512, activation="relu"),
            layers.Dense(512, activation="relu"),
            layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss="mae")
    elif key == "W2":
        model = keras.Sequential([
            layers.Dense(64, activation="relu", input_shape=[30]),
            layers.Dense(32, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
    elif key == "W3":
        model = keras.Sequential([
            layers.Dense(512, activation="relu", input_shape=[784]),
            layers.Dropout(0.2),
            layers.Dense(512, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    elif key == "W4":
        model = keras.Sequential([
            layers.Conv2D(32, 3, activation="relu", input_shape=[28, 28, 1]),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    elif key == "W6":
        model = keras.Sequential([
            keras.Input(shape=(TEXT_STEPS,)),
            layers.Embedding(TEXT_VOCAB, 128),
            layers.LSTM(64),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
    elif key == "W7":
        inputs = keras.Input(shape=(SEQ_STEPS, SEQ_WIDTH))
        attended = layers.MultiHeadAttention(num_heads=2, key_dim=SEQ_WIDTH // 2)(inputs, inputs)
        x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([inputs, attended]))
        ffn = layers.Dense(SEQ_WIDTH)(layers.Dense(128, activation="relu")(x))
        x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, ffn]))
        x = layers.GlobalAveragePooling1D()(x)
        model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
        model.compile(optimizer="adam", loss="binary_crossentropy")
    else:
        raise KeyError(key)
    return model


def import_keras_api(engine: str):
    """(keras module, layers module) for "neurona" or "keras-<backend>"."""
    if engine == "neurona":
        import neurona as keras
        from neurona import layers
    else:
        os.environ["KERAS_BACKEND"] = engine.split("-", 1)[1]
        import keras
        from keras import layers
    return keras, layers


def fit_epochs_keras(keras, model, x, y, batch_size, timed_epochs):
    """Per-epoch seconds of ``timed_epochs`` epochs after one warm-up epoch, and the method.

    Preferred: one ``fit`` call whose callback reads perf_counter at each epoch's start and
    end. Fallback (an API without callbacks): one ``fit(epochs=1)`` call per epoch, timed
    whole.
    """
    times, losses = [], []
    cb_base = getattr(getattr(keras, "callbacks", None), "Callback", None)
    if cb_base is not None:
        class EpochTimer(cb_base):
            def on_epoch_begin(self, epoch, logs=None):
                self._t0 = perf()

            def on_epoch_end(self, epoch, logs=None):
                times.append(perf() - self._t0)
                losses.append(_loss_of(logs))

        try:
            model.fit(x, y, batch_size=batch_size, epochs=1 + timed_epochs, verbose=0,
                      shuffle=True, callbacks=[EpochTimer()])
        except TypeError:
            times.clear()   # fit has no callbacks argument: fall through
        else:
            if len(times) == 1 + timed_epochs:
                return times[1:], "epoch callback in one fit call", losses[-1]
            times.clear()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
    history = None
    for _ in range(timed_epochs):
        t0 = perf()
        history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
        times.append(perf() - t0)
    return times, "one fit(epochs=1) call per epoch", _loss_of(
        {k: v[-1] for k, v in getattr(history, "history", {}).items()})


def _loss_of(logs):
    try:
        return float((logs or {}).get("loss"))
    except (TypeError, ValueError):
        return None


def train_keras(engine, key, timed_epochs):
    keras, layers = import_keras_api(engine)
    x, y = make_data(key)
    wl = WORKLOADS[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_keras_model(keras, layers, key)
        return fit_epochs_keras(keras, model, x, y, wl.batch_size, timed_epochs)


# --------------------------------------------------------------------------------------------
# PyTorch eager: a plain training loop
# --------------------------------------------------------------------------------------------

def build_torch_model(key, fused=False):
    """The workload's PyTorch model, loss and Adam, as a PyTorch user writes them.

    The plain form (``fused=False``) keeps a binary classifier's sigmoid in the model and uses
    ``nn.BCELoss``, as the Keras model does; ``fused=True`` moves it into
    ``nn.BCEWithLogitsLoss``. The softmax classifiers use ``nn.CrossEntropyLoss`` on logits in
    both forms (that is the plain way to write them), so only W2, W6 and W7 differ.
    """
    import torch
    from torch import nn
    if key == "W1":
        model = nn.Sequential(nn.Linear(11, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 1))
        loss_fn = nn.L1Loss()
    elif key == "W2":
        model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                              nn.Linear(32, 1))
        model, loss_fn = _binary_head(model, fused)
    elif key == "W3":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        loss_fn = nn.CrossEntropyLoss()
    elif key == "W4":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
        loss_fn = nn.CrossEntropyLoss()
    elif key in ("W6", "W7"):
        model = _TorchTextLSTM() if key == "W6" else _TorchTransformerBlock()
        model, loss_fn = _binary_head(model, fused)
    else:
        raise KeyError(key)
    return model, loss_fn, torch.optim.Adam(model.parameters(), lr=1e-3)


#: the workloads whose fused PyTorch loop differs from the plain one (a sigmoid output)
TORCH_FUSED_DIFFERS = ("W2", "W6", "W7")


def _binary_head(logits_model, fused):
    """(model, loss) of a binary classifier: logits into BCEWithLogitsLoss when fused, else a
    Sigmoid layer and BCELoss."""
    from torch import nn
    if fused:
        return logits_model, nn.BCEWithLogitsLoss()
    return nn.Sequential(logits_model, nn.Sigmoid()), nn.BCELoss()


def _TorchTextLSTM():  # noqa: N802 - builds W6's module (torch is imported lazily)
    from torch import nn

    class TextLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(TEXT_VOCAB, 128)
            self.lstm = nn.LSTM(128, 64, batch_first=True)
            self.out = nn.Linear(64, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.embedding(ids))
            return self.out(h[0])

    return TextLSTM()


def _TorchTransformerBlock():  # noqa: N802 - builds W7's module
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = nn.MultiheadAttention(SEQ_WIDTH, 2, batch_first=True)
            self.norm1 = nn.LayerNorm(SEQ_WIDTH, eps=1e-6)
            self.ffn = nn.Sequential(nn.Linear(SEQ_WIDTH, 128), nn.ReLU(),
                                     nn.Linear(128, SEQ_WIDTH))
            self.norm2 = nn.LayerNorm(SEQ_WIDTH, eps=1e-6)
            self.out = nn.Linear(SEQ_WIDTH, 1)

        def forward(self, x):
            attended, _ = self.attention(x, x, x, need_weights=False)
            x = self.norm1(x + attended)
            x = self.norm2(x + self.ffn(x))
            return self.out(x.mean(dim=1))

    return Block()


def torch_tensors(key, x, y):
    import torch
    if key == "W4":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))     # NCHW, converted once
    tx = torch.from_numpy(x.astype(np.int64) if key == "W6" else x)
    ty = torch.from_numpy(y) if key in ("W1", "W2", "W6", "W7") else \
        torch.from_numpy(y.astype(np.int64))
    return tx, ty


def torch_epoch(model, loss_fn, opt, tx, ty, batch_size):
    import torch
    n = tx.shape[0]
    perm = torch.randperm(n)
    total = torch.zeros(())
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = tx[idx], ty[idx]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.detach()
    return float(total) / -(-n // batch_size)


def train_torch(key, timed_epochs, fused=False):
    import torch
    torch.manual_seed(0)
    x, y = make_data(key)
    tx, ty = torch_tensors(key, x, y)
    model, loss_fn, opt = build_torch_model(key, fused)
    model.train()
    bs = WORKLOADS[key].batch_size
    torch_epoch(model, loss_fn, opt, tx, ty, bs)
    times = []
    for _ in range(timed_epochs):
        t0 = perf()
        loss = torch_epoch(model, loss_fn, opt, tx, ty, bs)
        times.append(perf() - t0)
    loss_kind = "sigmoid inside BCEWithLogitsLoss" if fused else "the model's own output layer"
    return (times, "loop: randperm, index, zero_grad, forward, loss, backward, Adam step; "
            + loss_kind, loss)


# --------------------------------------------------------------------------------------------
# scikit-learn MLP (float32)
# --------------------------------------------------------------------------------------------

SKLEARN_NOTES = {
    "W1": "MLPRegressor: squared-error loss (no MAE)",
    "W2": "MLPClassifier: logistic output, log loss",
    "W3": "MLPClassifier: no dropout layer",
}


def build_sklearn(key):
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    if key not in MLP_WIDTHS:
        raise NotImplementedError("scikit-learn has no convolution, recurrent or attention "
                                  "layers")
    hidden = tuple(MLP_WIDTHS[key][1:-1])
    cls = MLPRegressor if key == "W1" else MLPClassifier
    return cls(hidden_layer_sizes=hidden, activation="relu", solver="adam", alpha=0.0,
               batch_size=WORKLOADS[key].batch_size, learning_rate_init=1e-3, shuffle=True,
               random_state=0)


def sklearn_epoch(model, key, x, y):
    yy = y.ravel() if key == "W1" else y.ravel().astype(np.int64)
    if key == "W1" or hasattr(model, "classes_"):
        model.partial_fit(x, yy)
    else:
        model.partial_fit(x, yy, classes=np.unique(yy))


def train_sklearn(key, timed_epochs):
    x, y = make_data(key)
    model = build_sklearn(key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sklearn_epoch(model, key, x, y)
        times = []
        for _ in range(timed_epochs):
            t0 = perf()
            sklearn_epoch(model, key, x, y)
            times.append(perf() - t0)
    if model.coefs_[0].dtype != np.float32:
        raise RuntimeError(f"weights are {model.coefs_[0].dtype}, not float32")
    return (times, "partial_fit per epoch (shuffled, float32); " + SKLEARN_NOTES[key],
            float(model.loss_))


# --------------------------------------------------------------------------------------------
# the matrix-multiply-only floor
# --------------------------------------------------------------------------------------------

def step_gemms(key, batch):
    """(m, k, n) of every matrix product of one training step's forward and backward.

    Dense layer x(B, i) @ W(i, o): forward x @ W, weight gradient x.T @ dz, input gradient
    dz @ W.T (not for the first layer: no engine differentiates the data). Convolutions are
    their im2col GEMMs (NHWC, valid padding, stride 1): patches(B*H'*W', kh*kw*cin) @
    W(kh*kw*cin, cout) and the same two backward products.
    """
    gemms = []

    def dense(i, o, first, rows):
        gemms.append(("fwd", rows, i, o))
        gemms.append(("dW", i, rows, o))
        if not first:
            gemms.append(("dX", rows, o, i))

    if key in MLP_WIDTHS:
        w = MLP_WIDTHS[key]
        for li in range(len(w) - 1):
            dense(w[li], w[li + 1], li == 0, batch)
        return gemms
    if key == "W4":
        dense(3 * 3 * 1, 32, True, batch * 26 * 26)     # conv1: 28x28x1 -> 26x26x32
        dense(3 * 3 * 32, 64, False, batch * 11 * 11)   # conv2: 13x13x32 -> 11x11x64
        dense(5 * 5 * 64, 128, False, batch)            # dense after pool -> 5x5x64
        dense(128, 10, False, batch)
        return gemms
    if key in ("W6", "W7"):
        raise NotImplementedError("the floor counts dense and convolution GEMMs; a "
                                  "recurrence's or attention's many small products are not "
                                  "modelled")
    raise KeyError(key)


def time_gemms(gemms, min_seconds=0.3):
    """Median seconds of running all ``gemms`` once, in float32 NumPy with preallocated out."""
    rng = np.random.default_rng(0)
    ops = []
    for kind, m, k, n in gemms:
        if kind == "dW":   # x.T @ dz: the left operand is a transposed view, as in backward
            a = rng.standard_normal((k, m), dtype=np.float32).T
        else:
            a = rng.standard_normal((m, k), dtype=np.float32)
        if kind == "dX":   # dz @ W.T
            b = rng.standard_normal((n, k), dtype=np.float32).T
        else:
            b = rng.standard_normal((k, n), dtype=np.float32)
        ops.append((a, b, np.empty((m, n), np.float32)))

    def once():
        for a, b, out in ops:
            np.matmul(a, b, out=out)

    once()
    t0 = perf()
    reps = 0
    while perf() - t0 < 0.05 or reps < 3:
        once()
        reps += 1
    per = (perf() - t0) / reps
    inner = max(1, int(min_seconds / 5 / per))
    samples = []
    for _ in range(5):
        t0 = perf()
        for _ in range(inner):
            once()
        samples.append((perf() - t0) / inner)
    return median(samples)


def floor_epoch_seconds(key):
    wl = WORKLOADS[key]
    full, rest = divmod(wl.rows, wl.batch_size)
    t = full * time_gemms(step_gemms(key, wl.batch_size))
    if rest:
        t += time_gemms(step_gemms(key, rest), min_seconds=0.1)
    return t


def step_flops(key, batch):
    return sum(2 * m * k * n for _, m, k, n in step_gemms(key, batch))


# --------------------------------------------------------------------------------------------
# predict latency (W2's model)
# --------------------------------------------------------------------------------------------

def _per_call(fn, budget=1.0, max_calls=5000):
    fn()
    fn()
    t0 = perf()
    fn()
    one = max(perf() - t0, 1e-7)
    block = max(1, min(max_calls // 5, int(budget / 5 / one)))
    samples = []
    for _ in range(5):
        t0 = perf()
        for _ in range(block):
            fn()
        samples.append((perf() - t0) / block)
    return median(samples)


def _to_numpy(out):
    if hasattr(out, "numpy") and not isinstance(out, np.ndarray):
        try:
            return out.numpy()
        except Exception:  # noqa: BLE001 - e.g. a neurona Tensor without .numpy()
            pass
    if hasattr(out, "data") and isinstance(getattr(out, "data"), np.ndarray):
        return out.data
    return np.asarray(out)


def predict_latency(engine, big_rows=100_000):
    """Seconds: predict(1 row), model(1 row), predict(big), model(big) for W2's model."""
    x, y = make_data("W2")
    rng = np.random.default_rng(1)
    big = rng.standard_normal((big_rows, 30), dtype=np.float32)
    one = x[:1]
    res = {}
    if engine == "torch":
        import torch
        model, _, _ = build_torch_model("W2")   # its last layer is the sigmoid
        model.eval()

        def call(a):
            with torch.inference_mode():
                return model(torch.from_numpy(a)).numpy()

        res["call_1"] = _per_call(lambda: call(one))
        res["call_big"] = median([_time(lambda: call(big)) for _ in range(3)])
        return res
    keras, layers = import_keras_api(engine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_keras_model(keras, layers, "W2")
        model.fit(x[:256], y[:256], batch_size=32, epochs=1, verbose=0)
        to_np = _to_numpy
        if engine != "neurona":
            to_np = keras.ops.convert_to_numpy
        res["predict_1"] = _per_call(lambda: model.predict(one, verbose=0), budget=1.5)
        res["call_1"] = _per_call(lambda: to_np(model(one)))
        # one timed call after a warm-up: Keras/TensorFlow's predict takes seconds here
        res["predict_big"] = _time(lambda: model.predict(big, verbose=0))
        res["call_big"] = median([_time(lambda: to_np(model(big))) for _ in range(3)])
    return res


def _time(fn):
    fn()
    t0 = perf()
    fn()
    return perf() - t0


# --------------------------------------------------------------------------------------------
# training memory (W3, one epoch)
# --------------------------------------------------------------------------------------------

def rss_bytes():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def w3_required_bytes():
    """Bytes W3 training must hold: data, weights + gradients + Adam's two slots, one batch."""
    w = MLP_WIDTHS["W3"]
    params = sum(w[i] * w[i + 1] + w[i + 1] for i in range(len(w) - 1))
    data = WORKLOADS["W3"].rows * (784 * 4 + 8)                # float32 pixels, int64 labels
    b = WORKLOADS["W3"].batch_size
    # input batch, dense1 out, dropout mask + out, dense2 out, logits, probabilities
    acts = b * (784 + 512 + 512 + 512 + 512 + 10 + 10) * 4
    return {"data": data, "params_x4": 4 * params * 4, "batch_activations": acts,
            "total": data + 4 * params * 4 + acts}


def train_memory(engine):
    """Peak RSS growth (bytes) while building data and model and training W3 for one epoch."""
    key = "W3"
    bs = WORKLOADS[key].batch_size
    if engine == "torch":
        import torch  # noqa: F401
    elif engine == "sklearn":
        import sklearn.neural_network  # noqa: F401
    else:
        keras, layers = import_keras_api(engine)
    gc.collect()
    base = rss_bytes()
    x, y = make_data(key)
    gc.collect()
    reset_ok = reset_peak_rss()      # data preparation's temporaries are not training's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if engine == "torch":
            import torch
            tx, ty = torch_tensors(key, x, y)
            model, loss_fn, opt = build_torch_model(key)
            model.train()
            torch_epoch(model, loss_fn, opt, tx, ty, bs)
        elif engine == "sklearn":
            model = build_sklearn(key)
            sklearn_epoch(model, key, x, y)
        else:
            model = build_keras_model(keras, layers, key)
            model.fit(x, y, batch_size=bs, epochs=1, verbose=0, shuffle=True)
    peak = peak_rss_bytes()
    return {"base": base, "peak_growth": peak - base, "peak_reset": reset_ok,
            "required": w3_required_bytes()}
