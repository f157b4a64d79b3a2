"""The schema of a ``neurona train`` run configuration: every key, its default, the values it
takes and what it does.

:data:`RUN_SCHEMA` is the one description of the configuration: :func:`.config.validate`
checks a YAML file (or the options) against it and fills in its defaults, and the
documentation's "CLI and YAML reference" page is generated from it at build time
(:func:`reference_rows`), so the two cannot drift apart. A key is described by a
:class:`Key`: a default, a check (which also says in words what it accepts) and a help text.
"""

import copy
import difflib
import reprlib

from ..data._target import TARGET_TRANSFORMS
from ..tuner.mlp import SCHEDULES
from .errors import CLIError

TASKS = ("auto", "regression", "binary", "multiclass")
#: how the decision threshold of a binary classifier is chosen on the validation rows
THRESHOLD_METRICS = ("f1", "balanced_accuracy", "recall_at_precision", "precision_at_recall",
                     "fixed")


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict = 80, 80, 8, 6
_SHORT.maxlevel = 3


def shown(value):
    """``repr(value)`` cut short (a YAML value may be megabytes: it is never formatted whole
    into a one-line error).

    Example:
        >>> shown(list(range(100)))
        '[0, 1, 2, 3, 4, 5, 6, 7, ...]'
    """
    return _SHORT.repr(value)


def suggest(key, choices):
    """``"; did you mean 'x'?"`` for the closest of ``choices``, else the list of choices."""
    close = difflib.get_close_matches(str(key), list(choices), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(choices)}"


def type_name(value):
    """The YAML name of a value's type (``null`` for None)."""
    return "null" if value is None else type(value).__name__


# -- checks: validate one value, and say in words what they accept ----------------------------
class Check:
    """Validates one value (``check(where, value)`` returns it, possibly normalized, or raises
    a CLIError naming ``where``); ``accepts`` says what it takes, for the reference."""

    accepts = ""

    def __init__(self, allow_none=False):
        self.allow_none = allow_none

    def __call__(self, where, value):
        if value is None and self.allow_none:
            return None
        return self.check(where, value)

    def describe(self):
        return self.accepts + (", or null" if self.allow_none else "")


class String(Check):
    accepts = "a string"

    def check(self, where, value):
        if not isinstance(value, str) or not value:
            raise CLIError(f"{where} must be a non-empty string, got {shown(value)}")
        return value


class Int(Check):
    def __init__(self, low, allow_none=False):
        super().__init__(allow_none)
        self.low = low
        self.accepts = f"an integer >= {low}"

    def check(self, where, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < self.low:
            raise CLIError(f"{where} must be an integer >= {self.low}, got {shown(value)}")
        return value


class Number(Check):
    def __init__(self, low, high=None, low_open=False, high_open=True, allow_none=False):
        super().__init__(allow_none)
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open
        bounds = f"{'>' if low_open else '>='} {low}"
        if high is not None:
            bounds += f" and {'<' if high_open else '<='} {high}"
        self.bounds = bounds
        self.accepts = f"a number {self.bounds}"

    def check(self, where, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CLIError(f"{where} must be a number, got {shown(value)} ({type_name(value)})")
        value = float(value)
        too_low = value <= self.low if self.low_open else value < self.low
        too_high = self.high is not None and (value >= self.high if self.high_open
                                              else value > self.high)
        if too_low or too_high or value != value:
            raise CLIError(f"{where} must be a number {self.bounds}, got {shown(value)}")
        return value


class Bool(Check):
    accepts = "true or false"

    def check(self, where, value):
        if not isinstance(value, bool):
            raise CLIError(f"{where} must be true or false, got {shown(value)}")
        return value


class AutoBool(Check):
    accepts = "auto, true or false"

    def check(self, where, value):
        if value != "auto" and not isinstance(value, bool):
            raise CLIError(f"{where} must be auto, true or false, got {shown(value)}")
        return value


class Choice(Check):
    def __init__(self, choices, allow_none=False):
        super().__init__(allow_none)
        self.choices = tuple(choices)
        self.accepts = f"one of {', '.join(self.choices)}"

    def check(self, where, value):
        if isinstance(value, str) and value in self.choices:
            return value
        hint = suggest(value, self.choices) if isinstance(value, str) else ""
        null = "null or " if self.allow_none else ""
        raise CLIError(f"{where} must be {null}one of {', '.join(map(str, self.choices))}, got "
                       f"{shown(value)}{hint}")


class Strings(Check):
    """A list of strings (one string alone is a list of one)."""

    def __init__(self, what="strings", allow_empty=True, allow_none=False):
        super().__init__(allow_none)
        self.what, self.allow_empty = what, allow_empty
        self.accepts = f"a list of {what}"

    def check(self, where, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
                isinstance(v, str) and (v or self.allow_empty) for v in value):
            raise CLIError(f"{where} must be a list of {self.what}, got {shown(value)}")
        return list(value)


class Names(Strings):
    """A list of column names (non-empty strings)."""

    def __init__(self, allow_none=False):
        super().__init__("column names", allow_empty=False, allow_none=allow_none)


class Key:
    """One configuration key.

    Args:
        default: its value when absent.
        check: a :class:`Check`, or a :class:`Section` for a nested mapping.
        help: what it does (one or two sentences, shown in the reference).
        option: the ``neurona train`` option that sets it, if any.
    """

    def __init__(self, default, check, help, option=None):  # noqa: A002 - the reference's word
        self.default, self.check, self.help, self.option = default, check, help, option


class Section:
    """A mapping of :class:`Key` objects. ``switch=True`` makes it a callback-like section
    that ``false`` (or null) turns off and ``true`` turns on with its defaults."""

    def __init__(self, keys, switch=False):
        self.keys, self.switch = keys, switch

    def defaults(self):
        return {name: key.check.defaults() if isinstance(key.check, Section) else
                copy.deepcopy(key.default) for name, key in self.keys.items()}

    def describe(self):
        return "a mapping" + (", or false to turn it off" if self.switch else "")

    def __call__(self, where, value):
        if self.switch:
            if value is False or value is None:
                return None
            if value is True:
                value = {}
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise CLIError(f"{where} must be a mapping of keys to values, got {type_name(value)}")
        for name in value:
            if name not in self.keys:
                raise CLIError(f"unknown key {where}.{name}{suggest(name, self.keys)}")
        merged = self.defaults()
        merged.update(value)
        prefix = "" if where == "config" else f"{where}."
        return {name: key.check(prefix + name, merged[name]) for name, key in self.keys.items()}


class LayerList(Check):
    """``layers``: a list of layer sizes or of mappings (one per hidden layer)."""

    accepts = "a list of layer sizes or of layer mappings (keys below)"

    def __init__(self, item):
        super().__init__()
        self.item = item

    def check(self, where, value):
        if isinstance(value, (int, dict)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not value:
            raise CLIError(f"{where} must be a non-empty list of layer sizes, got {shown(value)}")
        return [self.item(f"{where}[{i}]", {"units": item} if not isinstance(item, dict)
                          else item) for i, item in enumerate(value)]


# -- the schema ---------------------------------------------------------------------------------
LAYER = Section({
    "units": Key(64, Int(1), "Units of the hidden Dense layer."),
    "activation": Key("relu", String(), "Its activation (relu, tanh, elu, selu, leaky_relu, "
                      "sigmoid, ...).", "--activation"),
    "initializer": Key(None, String(allow_none=True), "Kernel initializer; null: he_normal for "
                       "relu, elu and leaky_relu, glorot_uniform otherwise."),
    "batch_norm": Key(False, Bool(), "BatchNormalization between the Dense layer and its "
                      "activation."),
    "dropout": Key(0.0, Number(0.0, 1.0), "Dropout rate after the layer (0: none).",
                   "--dropout"),
    "l1": Key(0.0, Number(0.0), "L1 penalty on the kernel (0: none)."),
    "l2": Key(0.0, Number(0.0), "L2 penalty on the kernel (0: none)."),
})

RUN_SCHEMA = Section({
    "data": Key(None, String(allow_none=True), "The table: a .csv or .csv.gz file; a relative "
                "path in a YAML file is relative to that file. Required.", "DATA.csv"),
    "target": Key(None, String(allow_none=True), "The column to predict. Required.",
                  "--target"),
    "task": Key("auto", Choice(TASKS), "regression, binary or multiclass; auto infers it from "
                "the target (text or few whole numbers: classes).", "--task"),
    "target_transform": Key(None, Choice(TARGET_TRANSFORMS, allow_none=True),
                            "Learn log(target), log1p(target) or the standardized target; "
                            "predictions and metrics stay in the target's own units.",
                            "--target-transform"),
    "target_units": Key(None, String(allow_none=True), "The target's units (e.g. k$), shown on "
                        "the plots' axes and in the report.", "--target-units"),
    "csv": Key(None, Section({
        "sep": Key(None, String(allow_none=True), "Field separator; null: sniffed from the "
                   "file (comma, semicolon, tab or |).", "--sep"),
        "na_values": Key([], Strings(), "Extra cell values that mark a missing value (e.g. "
                         "'?'), besides empty cells, NA and NaN.", "--na-values"),
    }), "How the table is read."),
    "columns": Key(None, Section({
        "drop": Key([], Names(), "Columns to leave out.", "--drop"),
        "categorical": Key([], Names(), "Columns to one-hot encode (default: inferred: text "
                           "columns and few whole numbers).", "--categorical"),
        "numeric": Key([], Names(), "Columns to standardize (default: inferred).", "--numeric"),
    }), "Which columns are inputs and how they are encoded."),
    "split": Key(None, Section({
        "validation": Key(0.2, Number(0.0, 1.0, low_open=True), "Fraction of the rows for "
                          "validation (early stopping, the decision threshold).",
                          "--validation-split"),
        "test": Key(0.2, Number(0.0, 1.0, low_open=True), "Fraction of the rows for the "
                    "final test.", "--test-split"),
        "seed": Key(0, Int(0), "Seed of the split (and of training unless fit.seed is set).",
                    "--seed"),
        "stratify": Key("auto", AutoBool(), "Keep the class "
                        "proportions in every part; auto: for classes."),
    }), "The train / validation / test split."),
    "layers": Key([64, 64], LayerList(LAYER), "The hidden layers, e.g. [128, 64] or "
                  "[{units: 64, dropout: 0.2}]; each item takes the keys of layers[i] below.",
                  "--layers"),
    "compile": Key(None, Section({
        "optimizer": Key("adam", String(), "Optimizer name (adam, sgd, rmsprop, adagrad, nadam, "
                         "adamw, adamax).", "--optimizer"),
        "learning_rate": Key(1e-3, Number(0.0, low_open=True), "Its (initial) learning rate.",
                             "--learning-rate"),
        "momentum": Key(None, Number(0.0, 1.0, allow_none=True), "SGD's momentum (with "
                        "optimizer: sgd only)."),
        "schedule": Key("constant", Choice(SCHEDULES), "Learning-rate schedule: constant, "
                        "exponential (halves every 10 epochs) or cosine (to 0 at the last "
                        "epoch)."),
        "loss": Key(None, String(allow_none=True), "Loss name; null: the recommended loss for "
                    "the task (mse, binary or sparse categorical cross-entropy).", "--loss"),
        "metrics": Key(None, Names(allow_none=True), "Keras metrics logged per epoch; null: "
                       "the task's recommended ones."),
    }), "The optimizer and the loss."),
    "fit": Key(None, Section({
        "epochs": Key(100, Int(1), "Most epochs to train.", "--epochs"),
        "batch_size": Key(32, Int(1), "Rows per step.", "--batch-size"),
        "seed": Key(None, Int(0, allow_none=True), "Seed of training; null: split.seed.",
                    "--seed"),
        "class_weight": Key(None, Choice(("balanced",), allow_none=True), "balanced weights "
                            "the classes inversely to their frequency.", "--class-weight"),
    }), "How the network is trained."),
    "threshold": Key(None, Section({
        "metric": Key("f1", Choice(THRESHOLD_METRICS), "How the decision threshold of a binary "
                      "classifier is chosen on the validation rows: the one that maximizes f1 "
                      "or balanced_accuracy, the best recall at min_precision "
                      "(recall_at_precision), the best precision at min_recall "
                      "(precision_at_recall), or fixed at value.", "--threshold-metric"),
        "min_precision": Key(None, Number(0.0, 1.0, low_open=True, high_open=False,
                                          allow_none=True),
                             "The precision floor of recall_at_precision.", "--min-precision"),
        "min_recall": Key(None, Number(0.0, 1.0, low_open=True, high_open=False,
                                       allow_none=True),
                          "The recall floor of precision_at_recall.", "--min-recall"),
        "value": Key(None, Number(0.0, 1.0, high_open=False, allow_none=True), "The threshold of fixed "
                     "(predict the positive class when its probability >= value).",
                     "--threshold"),
    }), "The decision threshold of binary targets (saved in the model, used by 'neurona "
        "predict' and 'neurona evaluate')."),
    "callbacks": Key(None, Section({
        "early_stopping": Key(None, Section({
            "monitor": Key("val_loss", String(), "The logged value watched."),
            "patience": Key(10, Int(0), "Epochs without improvement before stopping.",
                            "--patience"),
            "min_delta": Key(0.0, Number(0.0), "The least change that counts as an "
                             "improvement."),
            "restore_best_weights": Key(True, Bool(), "Keep the weights of the best epoch."),
        }, switch=True), "Early stopping; false trains every epoch.", "--no-early-stopping"),
        "tensorboard": Key(None, Section({
            "histogram_freq": Key(0, Int(0), "Epochs between weight histograms (0: none)."),
        }, switch=True), "TensorBoard logs in the run folder's logs/; false writes none.",
            "--no-tensorboard"),
    }), "Callbacks of the run."),
    "out": Key(None, String(allow_none=True), "The run folder; null: a new folder in runs/.",
               "--out"),
})


def defaults():
    """A complete configuration of defaults (``data`` and ``target`` are None)."""
    return RUN_SCHEMA.defaults()


def reference_rows(section=RUN_SCHEMA, prefix=""):
    """Every key of ``section`` as ``(dotted name, default, accepted values, option, help)``,
    in order, nested sections first by their own row (for the generated reference page).

    Example:
        >>> rows = reference_rows()
        >>> [row[0] for row in rows][:3]
        ['data', 'target', 'task']
    """
    rows = []
    for name, key in section.keys.items():
        dotted = prefix + name
        if isinstance(key.check, Section):
            rows.append((dotted, None, key.check.describe(), key.option, key.help))
            rows += reference_rows(key.check, dotted + ".")
        elif isinstance(key.check, LayerList):
            rows.append((dotted, key.default, key.check.describe(), key.option, key.help))
            rows += reference_rows(key.check.item, dotted + "[i].")
        else:
            rows.append((dotted, key.default, key.check.describe(), key.option, key.help))
    return rows
