"""Train and evaluate a network on the Boston housing prices (shipped with neurona).

The course's regression case study, written exactly as Keras code with one changed import:
standardize with the training statistics, a small ReLU MLP, MSE loss with an MAE metric,
validation split and early stopping by hand-picked epochs. Prints progress and the test metrics,
and writes the learning curves to ``runs/boston_housing/learning_curves.png``.

Run: ``python examples/boston_housing.py [--epochs N] [--out DIR]``
"""

import argparse
import pathlib

import numpy as np

import neurona as keras
from neurona import layers
from neurona.datasets import boston_housing


def build_model(n_features):
    model = keras.Sequential([
        layers.Dense(64, activation="relu", input_shape=[n_features], kernel_initializer="he_normal"),
        layers.Dense(64, activation="relu", kernel_initializer="he_normal"),
        layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3), loss="mse", metrics=["mae"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=120)
    parser.add_argument("--out", default="runs/boston_housing")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)  # training statistics only
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    model = build_model(x_train.shape[1])
    model.summary()
    history = model.fit(x_train, y_train, validation_split=0.2, epochs=args.epochs, batch_size=16,
                        verbose=2, seed=0)
    test_mse, test_mae = model.evaluate(x_test, y_test, verbose=0)
    baseline_mae = float(np.mean(np.abs(y_test - y_train.mean())))
    print(f"\nTest MSE: {test_mse:.2f}  Test MAE: {test_mae:.2f} k$  "
          f"(predicting the mean price: MAE {baseline_mae:.2f} k$)")

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    history.plot().savefig(out / "learning_curves.png", dpi=100)
    print(f"Learning curves written to {out / 'learning_curves.png'}")
    return test_mae


if __name__ == "__main__":
    main()
