"""Next-day forecast of Melbourne's daily minimum temperature (shipped data, 1981-1990): an
LSTM on the last 30 days, next to the persistence baseline (tomorrow = today) and scikit-learn's
Ridge and HistGradientBoosting on the same 30 lagged days.

The first 80 % of the days train, the last 20 % (730 days) test; every model sees the 30 days
before each target day (for the first test days, the end of the training period) and nothing
later. The LSTM's inputs are standardized with the training days' mean and standard deviation;
it learns with the Huber loss (robust to the odd extreme day) and the last 10 % of its
training windows (the latest in time) are held out for early stopping.
The windows are those of ``keras.utils.timeseries_dataset_from_array(series[:-1],
series[30:], sequence_length=30)``, built here with NumPy's ``sliding_window_view``.

Usage::

    python examples/case_studies/temperature_forecast.py
    python examples/case_studies/temperature_forecast.py --quick   # 3 epochs (smoke run)
"""

import argparse
import contextlib
import sys

import numpy as np

LAGS = 30


def windows(series, lags=LAGS):
    """(inputs (n, lags), targets (n,), index of each target day) of every day with ``lags``
    days before it."""
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], lags)
    return x, series[lags:], np.arange(lags, len(series))


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def forecast(epochs=100, seed=0, test_split=0.2, sklearn=True, verbose=1):
    """{model: test MAE in degrees C}."""
    with _one_blas_thread():
        return _forecast(epochs, seed, test_split, sklearn, verbose)


def _forecast(epochs, seed, test_split, sklearn, verbose):
    import neurona as keras
    from neurona import layers
    from neurona.datasets import daily_min_temperatures

    _, temps = daily_min_temperatures.load_series()
    cut = int(len(temps) * (1 - test_split))
    x, y, day = windows(temps)
    train, test = day < cut, day >= cut
    results = {"persistence": float(np.abs(temps[day[test] - 1] - y[test]).mean())}
    if sklearn:
        from sklearn.ensemble import HistGradientBoostingRegressor
        from sklearn.linear_model import Ridge

        for name, model in (("ridge", Ridge()),
                            ("hist_gradient_boosting",
                             HistGradientBoostingRegressor(random_state=seed))):
            model.fit(x[train], y[train])
            results[name] = float(np.abs(model.predict(x[test]) - y[test]).mean())
    mean, std = temps[:cut].mean(), temps[:cut].std()
    z = ((x - mean) / std)[..., None].astype("float32")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(LAGS, 1)), layers.LSTM(32), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="huber")
    stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    model.fit(z[train], ((y[train] - mean) / std).astype("float32"), batch_size=64,
              epochs=epochs, validation_split=0.1, callbacks=[stop], verbose=0)
    predicted = model.predict(z[test], verbose=0)[:, 0] * std + mean
    results["lstm"] = float(np.abs(predicted - y[test]).mean())
    if verbose:
        for name, mae in results.items():
            print(f"{name:<24} next-day MAE {mae:.3f} °C")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=100, help="the most epochs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="3 epochs, no scikit-learn")
    args = parser.parse_args(argv)
    forecast(3 if args.quick else args.epochs, args.seed, sklearn=not args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
