"""The tabular MLP family that ``neurona tune`` (and a YAML search space) tunes.

A declared :class:`~neurona.tuner.SearchSpace` names some of the parameters below; the others
keep the base configuration's values (the command line's defaults)::

    layers          number of hidden layers
    units           units per layer (per_layer: layers gives units_1..units_k) or one number
    activation      hidden activation (relu, tanh, elu, selu, leaky_relu, sigmoid, ...)
    initializer     kernel initializer (he_normal, glorot_uniform, lecun_normal, ...)
    dropout         dropout rate after each hidden layer
    batch_norm      BatchNormalization after each hidden Dense layer (true/false)
    l1, l2          kernel regularization strengths (0 or absent: none)
    optimizer       adam, sgd, rmsprop, adagrad, nadam, adamw, ...
    learning_rate   the optimizer's (initial) learning rate
    momentum        SGD's momentum (when the optimizer is sgd)
    schedule        constant, exponential (halves every 10 epochs) or cosine (to 0 at the
                    last epoch)
    batch_size      rows per step
    epochs          the most epochs to train
"""

from .objectives import TunerError, suggestion
from .trial import HyperModel

__all__ = ["TabularMLP", "MLP_PARAMETERS", "DEFAULT_SPACE"]

MLP_PARAMETERS = ("layers", "units", "activation", "initializer", "dropout", "batch_norm",
                  "l1", "l2", "optimizer", "learning_rate", "momentum", "schedule",
                  "batch_size", "epochs")
SCHEDULES = ("constant", "exponential", "cosine")

#: what ``neurona tune`` searches when no space is given: the course's list, in ranges that
#: train well on tables
DEFAULT_SPACE = {
    "layers": {"type": "int", "low": 1, "high": 3},
    "units": {"type": "int", "low": 16, "high": 256, "log": True, "per_layer": "layers"},
    "activation": ["relu", "tanh", "elu"],
    "dropout": {"type": "float", "low": 0.0, "high": 0.5},
    "l2": {"type": "float", "low": 1e-6, "high": 1e-2, "log": True},
    "learning_rate": {"type": "float", "low": 1e-4, "high": 1e-2, "log": True},
    "batch_size": [32, 64, 128],
}


def check_space(space):
    """Refuse parameter names the MLP does not know (they would silently do nothing)."""
    for name in space.names():
        if name not in MLP_PARAMETERS:
            raise TunerError(f"search space parameter {name!r} is not a parameter of the MLP"
                             f"{suggestion(name, MLP_PARAMETERS)} (known: "
                             f"{', '.join(MLP_PARAMETERS)})")


class TabularMLP(HyperModel):
    """An MLP for encoded tabular rows whose hyperparameters come from a search space.

    Args:
        space: the :class:`~neurona.tuner.SearchSpace` (names from :data:`MLP_PARAMETERS`).
        n_features: the width of an encoded row.
        output: the output layer and loss (``neurona.data.recommended_output``).
        n_train: training rows (sets the steps of a learning-rate schedule).
        base: the values of parameters the space leaves out (``layers`` a list of sizes).
        class_weight: passed to ``fit`` (None or ``"balanced"``).
    """

    def __init__(self, space, n_features, output, n_train, base=None, class_weight=None):
        check_space(space)
        self.space = space
        self.n_features, self.output, self.n_train = n_features, output, n_train
        self.base = {"layers": [64, 64], "activation": "relu", "dropout": 0.0,
                     "optimizer": "adam", "learning_rate": 1e-3, "batch_size": 32,
                     "epochs": 100, **(base or {})}
        self.class_weight = class_weight

    def values(self, hp):
        """The full set of values of one trial: drawn ones over the base ones."""
        drawn = self.space.sample(hp)
        values = dict(self.base, **drawn)
        sizes = self.base["layers"]
        count = drawn.get("layers", len(sizes))
        units = drawn.get("units", sizes if "layers" not in drawn else sizes[-1])
        values["units"] = list(units) if isinstance(units, list) else [units] * count
        if len(values["units"]) < count:  # a fixed base list shorter than the drawn depth
            values["units"] += [values["units"][-1]] * (count - len(values["units"]))
        values["units"] = values["units"][:count]
        return values

    def build(self, hp):
        from .. import layers, optimizers, regularizers
        from ..models import Sequential

        v = self.values(hp)
        regularizer = None
        if v.get("l1") or v.get("l2"):
            regularizer = regularizers.L1L2(l1=v.get("l1") or 0.0, l2=v.get("l2") or 0.0)
        initializer = v.get("initializer") or ("he_normal" if v["activation"] in
                                               ("relu", "elu", "leaky_relu") else
                                               "glorot_uniform")
        model = Sequential(name="mlp")
        model.add(layers.Input(shape=(self.n_features,)))
        for units in v["units"]:
            model.add(layers.Dense(int(units), kernel_initializer=initializer,
                                   kernel_regularizer=regularizer,
                                   activation=None if v.get("batch_norm") else v["activation"]))
            if v.get("batch_norm"):
                model.add(layers.BatchNormalization())
                model.add(layers.Activation(v["activation"]))
            if v["dropout"] > 0:
                model.add(layers.Dropout(v["dropout"]))
        model.add(layers.Dense(self.output["units"], activation=self.output["activation"]))
        config = {"learning_rate": self._schedule(v)}
        if v["optimizer"] == "sgd" and v.get("momentum") is not None:
            config["momentum"] = v["momentum"]
        optimizer = optimizers.get({"class_name": v["optimizer"], "config": config})
        model.compile(optimizer=optimizer, loss=self.output["loss"],
                      metrics=self.output["metrics"])
        return model

    def _schedule(self, v):
        from ..optimizers import schedules

        name = v.get("schedule") or "constant"
        if name not in SCHEDULES:
            raise TunerError(f"schedule must be one of {', '.join(SCHEDULES)}, got {name!r}")
        rate = float(v["learning_rate"])
        steps = max(1, -(-self.n_train // int(v["batch_size"])))
        if name == "exponential":
            return schedules.ExponentialDecay(rate, decay_steps=10 * steps, decay_rate=0.5)
        if name == "cosine":
            return schedules.CosineDecay(rate, decay_steps=int(v["epochs"]) * steps)
        return rate

    def fit(self, hp, model, x, y, **kwargs):
        v = self.values(hp)  # the trial returns the values drawn in build() again
        kwargs["batch_size"] = int(v["batch_size"])
        kwargs["epochs"] = int(v["epochs"])
        if self.class_weight is not None:
            kwargs.setdefault("class_weight", self.class_weight)
        return model.fit(x, y, **kwargs)
