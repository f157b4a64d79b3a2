"""The Keras code of the course notes runs unchanged except for its import lines."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")


def _wine_like_data():
    """11 standardized features and a quality-like target (the red-wine data is not shipped)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 11)).astype("float32")
    y = (5.6 + x[:, :3] @ np.array([0.4, -0.3, 0.2]) + 0.1 * rng.standard_normal(600)).astype("float32")
    return x[:480], y[:480], x[480:], y[480:]


def test_course_wine_regression_code_runs_unchanged():
    X_train, y_train, X_valid, y_valid = _wine_like_data()
    # ---- course code from here on; only the two import lines changed ----
    import neurona as keras                       # from tensorflow import keras
    from neurona import layers, callbacks         # from tensorflow.keras import layers, callbacks
    model = keras.Sequential([
        layers.Dense(512, activation='relu', input_shape=[11]),
        layers.Dense(512, activation='relu'),
        layers.Dense(512, activation='relu'),
        layers.Dense(1),
    ])
    model.compile(optimizer='adam', loss='mae')
    history = model.fit(X_train, y_train, validation_data=(X_valid, y_valid),
                        batch_size=256, epochs=10, verbose=0)
    history_df = pd.DataFrame(history.history)
    history_df.loc[:, ['loss', 'val_loss']].plot()
    # ---- end of course code ----
    assert list(history_df.columns) == ["loss", "val_loss"]
    assert history_df["val_loss"].iloc[-1] < 0.5 * history_df["val_loss"].iloc[0]
    assert callbacks.EarlyStopping  # the course's next step imports it from the same place


@pytest.fixture(autouse=True)
def _headless_matplotlib():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_course_dropout_batchnorm_early_stopping_code_runs_unchanged():
    X_train, y_train, X_valid, y_valid = _wine_like_data()
    # ---- course code (lessons 4.4 and 5.5); only the import lines changed ----
    import neurona as keras                        # from tensorflow import keras
    from neurona import layers, callbacks          # from tensorflow.keras import layers, callbacks

    early_stopping = callbacks.EarlyStopping(
        min_delta=0.001, # minimum amount of change to count as an improvement
        patience=20, # how many epochs to wait before stopping
        restore_best_weights=True,
    )
    model = keras.Sequential([
        layers.Dense(1024, activation='relu', input_shape=[11]),
        layers.Dropout(0.3),
        layers.BatchNormalization(),
        layers.Dense(1024, activation='relu'),
        layers.Dropout(0.3),
        layers.BatchNormalization(),
        layers.Dense(1024, activation='relu'),
        layers.Dropout(0.3),
        layers.BatchNormalization(),
        layers.Dense(1),
    ])
    model.compile(
        optimizer='adam',
        loss='mae',
    )
    history = model.fit(
        X_train, y_train,
        validation_data=(X_valid, y_valid),
        batch_size=256,
        epochs=8,
        callbacks=[early_stopping],
        verbose=0,
    )
    history_df = pd.DataFrame(history.history)
    history_df.loc[:, ['loss', 'val_loss']].plot();
    # ---- end of course code ----
    best = int(np.argmin(history_df["val_loss"]))
    assert early_stopping.best == history_df["val_loss"].iloc[best]
    # restore_best_weights: the model now scores the best epoch's validation loss
    assert model.evaluate(X_valid, y_valid, verbose=0) == pytest.approx(early_stopping.best, rel=1e-5)
