"""The tabular MLP family that ``neurona tune`` (and a YAML search space) tunes, and that
``neurona train`` builds from its configuration (:func:`build_mlp`: one network, whichever
command made it, so a tuned trial's configuration retrains the same model).

A declared :class:`~neurona.tuner.SearchSpace` names some of the parameters of
:data:`PARAMETER_HELP`; the others keep the base configuration's values (the command line's
defaults).
"""

from .objectives import TunerError, suggestion
from .trial import HyperModel

__all__ = ["TabularMLP", "MLP_PARAMETERS", "PARAMETER_HELP", "DEFAULT_SPACE", "build_mlp"]

#: every parameter of the MLP a search space may declare, with what it sets (the
#: documentation's reference of ``--space`` is generated from this table)
PARAMETER_HELP = {
    "layers": "number of hidden layers",
    "units": "units per hidden layer: one value for every layer, or one per layer with "
             "per_layer: layers (units_1..units_k)",
    "activation": "hidden activation (relu, tanh, elu, selu, leaky_relu, sigmoid, ...)",
    "initializer": "kernel initializer (he_normal, glorot_uniform, lecun_normal, ...); "
                   "default he_normal for relu, elu and leaky_relu, else glorot_uniform",
    "dropout": "dropout rate after each hidden layer",
    "batch_norm": "BatchNormalization between each hidden Dense layer and its activation "
                  "(true/false)",
    "l1": "L1 kernel penalty (0 or absent: none)",
    "l2": "L2 kernel penalty (0 or absent: none)",
    "optimizer": "adam, sgd, rmsprop, adagrad, nadam, adamw, adamax",
    "learning_rate": "the optimizer's (initial) learning rate",
    "momentum": "SGD's momentum (declare it with when: {optimizer: sgd})",
    "schedule": "constant, exponential (halves every 10 epochs) or cosine (to 0 at the last "
                "epoch)",
    "batch_size": "rows per step",
    "epochs": "the most epochs to train",
}
MLP_PARAMETERS = tuple(PARAMETER_HELP)
SCHEDULES = ("constant", "exponential", "cosine")
RELU_LIKE = ("relu", "elu", "leaky_relu")

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


def build_mlp(layer_specs, training, n_features, output, n_train, loss=None, metrics=None):
    """The compiled MLP for encoded tabular rows.

    Args:
        layer_specs: one mapping per hidden layer with ``units``, ``activation``,
            ``initializer`` (None: he_normal for relu-like activations, else glorot_uniform),
            ``batch_norm``, ``dropout``, ``l1`` and ``l2``.
        training: ``optimizer``, ``learning_rate``, ``momentum`` (SGD; None: the optimizer's
            default), ``schedule`` (constant, exponential, cosine), ``batch_size``, ``epochs``.
        n_features: the width of an encoded row.
        output: the output layer, loss and metrics (``neurona.data.recommended_output``).
        n_train: training rows (sets the steps of a learning-rate schedule).
        loss, metrics: override the output's recommended loss and metrics.

    Returns:
        The compiled :class:`~neurona.Sequential` named ``"mlp"``.

    Example:
        >>> from neurona.data import recommended_output
        >>> layer = {"units": 8, "activation": "relu", "initializer": None, "batch_norm": True,
        ...          "dropout": 0.1, "l1": 0.0, "l2": 1e-4}
        >>> training = {"optimizer": "adam", "learning_rate": 1e-3, "momentum": None,
        ...             "schedule": "cosine", "batch_size": 32, "epochs": 10}
        >>> model = build_mlp([layer], training, 5, recommended_output("binary", 2), 100)
        >>> [type(layer).__name__ for layer in model.layers]
        ['Dense', 'BatchNormalization', 'Activation', 'Dropout', 'Dense']
    """
    from .. import layers, optimizers, regularizers
    from ..models import Sequential

    model = Sequential(name="mlp")
    model.add(layers.Input(shape=(n_features,)))
    for spec in layer_specs:
        regularizer = None
        if spec["l1"] or spec["l2"]:
            regularizer = regularizers.L1L2(l1=spec["l1"], l2=spec["l2"])
        initializer = spec["initializer"] or ("he_normal" if spec["activation"] in RELU_LIKE
                                              else "glorot_uniform")
        model.add(layers.Dense(int(spec["units"]), kernel_initializer=initializer,
                               kernel_regularizer=regularizer,
                               activation=None if spec["batch_norm"] else spec["activation"]))
        if spec["batch_norm"]:
            model.add(layers.BatchNormalization())
            model.add(layers.Activation(spec["activation"]))
        if spec["dropout"] > 0:
            model.add(layers.Dropout(spec["dropout"]))
    model.add(layers.Dense(output["units"], activation=output["activation"]))
    config = {"learning_rate": _schedule(training, n_train)}
    if training["optimizer"] == "sgd" and training.get("momentum") is not None:
        config["momentum"] = training["momentum"]
    optimizer = optimizers.get({"class_name": training["optimizer"], "config": config})
    model.compile(optimizer=optimizer, loss=loss or output["loss"],
                  metrics=output["metrics"] if metrics is None else metrics)
    return model


def _schedule(training, n_train):
    from ..optimizers import schedules

    name = training.get("schedule") or "constant"
    if name not in SCHEDULES:
        raise TunerError(f"schedule must be one of {', '.join(SCHEDULES)}, got {name!r}")
    rate = float(training["learning_rate"])
    steps = max(1, -(-n_train // int(training["batch_size"])))
    if name == "exponential":
        return schedules.ExponentialDecay(rate, decay_steps=10 * steps, decay_rate=0.5)
    if name == "cosine":
        return schedules.CosineDecay(rate, decay_steps=int(training["epochs"]) * steps)
    return rate


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
        return build_mlp(*self.layers_and_training(self.values(hp)), self.n_features,
                         self.output, self.n_train)

    @staticmethod
    def layers_and_training(values):
        """One trial's values as ``(layer specs, training settings)``: the ``layers`` and
        ``compile``/``fit`` entries of a ``neurona train`` configuration."""
        layer = {"activation": values["activation"], "initializer": values.get("initializer"),
                 "batch_norm": bool(values.get("batch_norm", False)),
                 "dropout": float(values["dropout"]), "l1": float(values.get("l1") or 0.0),
                 "l2": float(values.get("l2") or 0.0)}
        specs = [dict(layer, units=int(units)) for units in values["units"]]
        training = {"optimizer": values["optimizer"],
                    "learning_rate": float(values["learning_rate"]),
                    "momentum": values.get("momentum") if values["optimizer"] == "sgd" else None,
                    "schedule": values.get("schedule") or "constant",
                    "batch_size": int(values["batch_size"]), "epochs": int(values["epochs"])}
        return specs, training

    def fit(self, hp, model, x, y, **kwargs):
        v = self.values(hp)  # the trial returns the values drawn in build() again
        kwargs["batch_size"] = int(v["batch_size"])
        kwargs["epochs"] = int(v["epochs"])
        if self.class_weight is not None:
            kwargs.setdefault("class_weight", self.class_weight)
        return model.fit(x, y, **kwargs)
