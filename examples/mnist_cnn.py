"""A small CNN with data augmentation on the shipped MNIST subset (5,000 digits).

The course's CNN notes: convolution layers extract features with filters, a bias and ReLU;
pooling shrinks each channel; conv + pool blocks repeat before dense layers that classify.
Trains on 4,000 digits and reports the accuracy on the 1,000 held-out ones.

Run: ``python examples/mnist_cnn.py [--epochs N]``
"""

import argparse

import numpy as np

import neurona as keras
from neurona import layers
from neurona.datasets import mnist


def build_model():
    augment = [
        layers.RandomRotation(0.04, fill_mode="constant"),
        layers.RandomTranslation(0.08, 0.08, fill_mode="constant"),
        layers.RandomZoom(0.08, fill_mode="constant"),
    ]
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Rescaling(1.0 / 255),
        *augment,
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=25)
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, x_test = x_train[..., None], x_test[..., None]
    model = build_model()
    model.summary()
    reduce = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, verbose=2, seed=0,
              callbacks=[reduce])
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"\nHeld-out accuracy on {len(x_test)} digits: {accuracy:.2%} (loss {loss:.4f})")
    return accuracy


if __name__ == "__main__":
    main()
