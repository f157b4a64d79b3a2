"""The run configuration of ``neurona train``: defaults, YAML loading, validation, overrides.

A run is described by one dict with the sections below (every key optional except ``data``
and ``target``); the YAML file and the command-line options fill the same dict, options last::

    data: boston_housing.csv        # relative paths are relative to the YAML file
    target: medv
    task: auto                      # auto | regression | binary | multiclass
    target_transform: null          # log | log1p | standardize: learn a transformed target
    columns: {drop: [black], categorical: [chas]}
    split: {validation: 0.2, test: 0.2, seed: 0, stratify: auto}
    layers: [64, 64]                # or [{units: 64, activation: relu, dropout: 0.1, l2: 1e-3}]
    compile: {optimizer: adam, learning_rate: 0.001, loss: null, metrics: null}
    fit: {epochs: 100, batch_size: 32, seed: null, class_weight: null}  # or balanced
    callbacks:
      early_stopping: {monitor: val_loss, patience: 10, min_delta: 0, restore_best_weights: true}
      tensorboard: {histogram_freq: 0}   # false turns a callback off
    out: runs/boston                # the run folder

YAML is read with ``yaml.safe_load`` only, so a file can never build Python objects; unknown
keys are refused with a "did you mean" suggestion.
"""

import copy
import difflib
import os

from ..data._target import TARGET_TRANSFORMS
from .errors import CLIError

TASKS = ("auto", "regression", "binary", "multiclass")

DEFAULTS = {
    "data": None,
    "target": None,
    "task": "auto",
    "target_transform": None,
    "columns": {"drop": [], "categorical": [], "numeric": []},
    "split": {"validation": 0.2, "test": 0.2, "seed": 0, "stratify": "auto"},
    "layers": [64, 64],
    "compile": {"optimizer": "adam", "learning_rate": 1e-3, "loss": None, "metrics": None},
    "fit": {"epochs": 100, "batch_size": 32, "seed": None, "class_weight": None},
    "callbacks": {
        "early_stopping": {"monitor": "val_loss", "patience": 10, "min_delta": 0.0,
                           "restore_best_weights": True},
        "tensorboard": {"histogram_freq": 0},
    },
    "out": None,
}

LAYER_KEYS = {"units": 64, "activation": "relu", "dropout": 0.0, "l1": 0.0, "l2": 0.0}


def _suggest(key, choices):
    close = difflib.get_close_matches(str(key), list(choices), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(choices)}"


def _type_name(value):
    return "null" if value is None else type(value).__name__


# -- value checks ------------------------------------------------------------------------------
def _string(where, value, allow_none=False):
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value:
        raise CLIError(f"{where} must be a non-empty string, got {value!r}")
    return value


def _int(where, value, low, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise CLIError(f"{where} must be an integer >= {low}, got {value!r}")
    return value


def _number(where, value, low, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CLIError(f"{where} must be a number, got {value!r} ({_type_name(value)})")
    value = float(value)
    too_low = value <= low if low_open else value < low
    if too_low or (high is not None and value >= high) or value != value:
        bounds = f"{'>' if low_open else '>='} {low}"
        bounds += f" and < {high}" if high is not None else ""
        raise CLIError(f"{where} must be a number {bounds}, got {value!r}")
    return value


def _bool(where, value):
    if not isinstance(value, bool):
        raise CLIError(f"{where} must be true or false, got {value!r}")
    return value


def _names(where, value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CLIError(f"{where} must be a list of column names, got {value!r}")
    return list(value)


def _section(where, value, defaults):
    """Check ``value`` is a mapping whose keys all appear in ``defaults``; merge it in."""
    if value is None:
        return copy.deepcopy(defaults)
    if not isinstance(value, dict):
        raise CLIError(f"{where} must be a mapping of keys to values, got {_type_name(value)}")
    for key in value:
        if key not in defaults:
            raise CLIError(f"unknown key {where}.{key}{_suggest(key, defaults)}")
    merged = copy.deepcopy(defaults)
    merged.update(value)
    return merged


def layer_specs(value):
    """``layers`` as a list of ``{"units", "activation", "dropout"}`` (sizes alone allowed)."""
    if isinstance(value, (int, dict)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value:
        raise CLIError(f"layers must be a non-empty list of layer sizes, got {value!r}")
    result = []
    for i, item in enumerate(value):
        where = f"layers[{i}]"
        spec = _section(where, {"units": item} if not isinstance(item, dict) else item, LAYER_KEYS)
        spec["units"] = _int(f"{where}.units", spec["units"], 1)
        spec["activation"] = _string(f"{where}.activation", spec["activation"])
        spec["dropout"] = _number(f"{where}.dropout", spec["dropout"], 0.0, 1.0)
        spec["l1"] = _number(f"{where}.l1", spec["l1"], 0.0)
        spec["l2"] = _number(f"{where}.l2", spec["l2"], 0.0)
        result.append(spec)
    return result


def _callback(where, value, defaults):
    if value is False or value is None:
        return None
    return _section(where, {} if value is True else value, defaults)


def validate(raw, base_dir=None):
    """Check every key and value of a run configuration and fill in the defaults.

    Args:
        raw: the dict read from YAML (and/or built from options).
        base_dir: directory that a relative ``data`` path is resolved against (the YAML file's
            directory); None keeps it relative to the working directory.

    Returns:
        A new, complete configuration dict (see the module docstring).

    Raises:
        CLIError: naming the first bad key or value.
    """
    config = _section("config", raw, DEFAULTS)
    for key in ("data", "target"):
        if config[key] is None:
            raise CLIError(f"the configuration needs {key!r} (in the YAML file or "
                           f"{'as DATA.csv' if key == 'data' else '--target COLUMN'})")
    config["data"] = _string("data", config["data"])
    if base_dir is not None and not os.path.isabs(config["data"]):
        config["data"] = os.path.normpath(os.path.join(base_dir, config["data"]))
    config["target"] = _string("target", config["target"])
    if config["task"] not in TASKS:
        hint = _suggest(config["task"], TASKS) if isinstance(config["task"], str) else ""
        raise CLIError(f"task must be one of {', '.join(TASKS)}, got {config['task']!r}{hint}")
    transform = config["target_transform"]
    if transform is not None and transform not in TARGET_TRANSFORMS:
        hint = _suggest(transform, TARGET_TRANSFORMS) if isinstance(transform, str) else ""
        raise CLIError(f"target_transform must be null or one of {', '.join(TARGET_TRANSFORMS)}, "
                       f"got {transform!r}{hint}")
    if transform is not None and config["task"] in ("binary", "multiclass"):
        raise CLIError(f"target_transform: {transform} applies to regression targets, but task "
                       f"is {config['task']}; remove target_transform")
    columns = _section("columns", config["columns"], DEFAULTS["columns"])
    config["columns"] = {k: _names(f"columns.{k}", v) for k, v in columns.items()}
    split = _section("split", config["split"], DEFAULTS["split"])
    split["validation"] = _number("split.validation", split["validation"], 0.0, 1.0, low_open=True)
    split["test"] = _number("split.test", split["test"], 0.0, 1.0, low_open=True)
    if split["validation"] + split["test"] >= 1.0:
        raise CLIError(f"split.validation + split.test must leave rows to train on, got "
                       f"{split['validation']} + {split['test']} >= 1")
    split["seed"] = _int("split.seed", split["seed"], 0)
    if split["stratify"] != "auto":
        _bool("split.stratify", split["stratify"])
    config["split"] = split
    config["layers"] = layer_specs(config["layers"])
    comp = _section("compile", config["compile"], DEFAULTS["compile"])
    comp["optimizer"] = _string("compile.optimizer", comp["optimizer"])
    comp["learning_rate"] = _number("compile.learning_rate", comp["learning_rate"], 0.0,
                                    low_open=True)
    comp["loss"] = _string("compile.loss", comp["loss"], allow_none=True)
    if comp["metrics"] is not None:
        comp["metrics"] = _names("compile.metrics", comp["metrics"])
    config["compile"] = comp
    fit = _section("fit", config["fit"], DEFAULTS["fit"])
    fit["epochs"] = _int("fit.epochs", fit["epochs"], 1)
    fit["batch_size"] = _int("fit.batch_size", fit["batch_size"], 1)
    fit["seed"] = _int("fit.seed", fit["seed"], 0, allow_none=True)
    if fit["class_weight"] not in (None, "balanced"):
        raise CLIError(f"fit.class_weight must be null or 'balanced', got {fit['class_weight']!r}")
    config["fit"] = fit
    cbs = _section("callbacks", config["callbacks"], DEFAULTS["callbacks"])
    early = _callback("callbacks.early_stopping", cbs["early_stopping"],
                      DEFAULTS["callbacks"]["early_stopping"])
    if early is not None:
        early["monitor"] = _string("callbacks.early_stopping.monitor", early["monitor"])
        early["patience"] = _int("callbacks.early_stopping.patience", early["patience"], 0)
        early["min_delta"] = _number("callbacks.early_stopping.min_delta", early["min_delta"], 0.0)
        _bool("callbacks.early_stopping.restore_best_weights", early["restore_best_weights"])
    board = _callback("callbacks.tensorboard", cbs["tensorboard"],
                      DEFAULTS["callbacks"]["tensorboard"])
    if board is not None:
        board["histogram_freq"] = _int("callbacks.tensorboard.histogram_freq",
                                       board["histogram_freq"], 0)
    config["callbacks"] = {"early_stopping": early, "tensorboard": board}
    config["out"] = _string("out", config["out"], allow_none=True)
    return config


# -- YAML ----------------------------------------------------------------------------------------
def load_yaml(path):
    """Read a run configuration from YAML with ``yaml.safe_load`` (never builds objects).

    Returns:
        The raw dict (validate it with :func:`validate`).

    Raises:
        CLIError: missing file, invalid YAML, a ``!!python/...`` tag, or not a mapping.
    """
    try:
        import yaml
    except ImportError:
        raise CLIError("reading a YAML configuration needs PyYAML: pip install pyyaml") from None
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    with open(path, encoding="utf-8") as stream:
        text = stream.read()
    try:
        raw = yaml.safe_load(text)
    except yaml.constructor.ConstructorError as err:
        line = f" (line {err.problem_mark.line + 1})" if err.problem_mark else ""
        tag = next((word.strip("'") for word in str(err.problem).split()
                    if word.strip("'").startswith("tag:")), None)
        tag = tag.replace("tag:yaml.org,2002:", "!!") if tag else "a custom tag"
        raise CLIError(f"{path}{line}: the YAML tag {tag} is refused; configurations are read "
                       "with yaml.safe_load, which never creates Python objects: write plain "
                       "values") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise CLIError(f"{path}: invalid YAML{line}: {problem}") from None
    if raw is None:
        raise CLIError(f"{path}: the YAML file is empty; it needs at least 'data' and 'target'")
    if not isinstance(raw, dict):
        raise CLIError(f"{path}: the YAML file must be a mapping (key: value lines), "
                       f"got a {_type_name(raw)}")
    return raw


def apply_overrides(raw, overrides):
    """Set dotted keys (``{"fit.epochs": 3}``) in a copy of ``raw``; None values are skipped."""
    result = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = result
        *parents, last = dotted.split(".")
        for part in parents:
            child = node.get(part)
            if child is None or child is True:
                child = {}
            elif child is False:
                break
            if not isinstance(child, dict):
                break  # leave the bad value for validate() to report
            node[part] = child
            node = child
        else:
            node[last] = value
    return result


# -- the command-line options that ``train`` and ``tune`` share ----------------------------------
def add_data_arguments(parser, source_help, transform_help):
    """The data source and what to learn from it: the table or YAML config, ``--target``,
    ``--task``, ``--target-transform`` and ``--drop``."""
    parser.add_argument("source", metavar="DATA.csv|CONFIG.yaml", help=source_help)
    parser.add_argument("--target", help="the column to predict (required with a CSV)")
    parser.add_argument("--task", choices=TASKS, help="default: inferred from the target")
    parser.add_argument("--target-transform", choices=TARGET_TRANSFORMS, help=transform_help)
    parser.add_argument("--drop", metavar="COLS", help="comma-separated columns to leave out")


def load_source(command, args):
    """(raw configuration, base directory of its relative paths) from ``args.source``: a YAML
    run configuration, or a CSV table that then needs ``--target``."""
    if args.source.lower().endswith((".yaml", ".yml")):
        return load_yaml(args.source), os.path.dirname(os.path.abspath(args.source))
    if args.target is None:
        raise CLIError(f"{command} {args.source}: --target COLUMN is required with a CSV file "
                       "(or give a YAML configuration)")
    return {"data": args.source}, None


def data_overrides(args):
    """The options of :func:`add_data_arguments` as dotted configuration keys."""
    return {"target": args.target, "task": args.task, "target_transform": args.target_transform,
            "columns.drop": comma_list(args.drop, "--drop")}


def comma_list(text, option, convert=str):
    """``"a, b"`` -> ``["a", "b"]`` (items converted); None stays None."""
    if text is None:
        return None
    items = [item.strip() for item in text.split(",") if item.strip()]
    try:
        return [convert(item) for item in items]
    except ValueError:
        raise CLIError(f"{option} must be a comma-separated list of integers, got {text!r}") \
            from None
