"""The run configuration of ``neurona train``: defaults, YAML loading, validation, overrides.

A run is described by one dict (every key optional except ``data`` and ``target``); the YAML
file and the command-line options fill the same dict, options last::

    data: boston_housing.csv        # relative paths are relative to the YAML file
    target: medv
    task: auto                      # auto | regression | binary | multiclass
    target_transform: null          # log | log1p | standardize: learn a transformed target
    columns: {drop: [black], categorical: [chas]}
    split: {validation: 0.2, test: 0.2, seed: 0, stratify: auto}
    layers: [64, 64]                # or [{units: 64, activation: relu, dropout: 0.1, l2: 1e-3}]
    compile: {optimizer: adam, learning_rate: 0.001, loss: null, metrics: null}
    fit: {epochs: 100, batch_size: 32, seed: null, class_weight: null}  # or balanced
    threshold: {metric: f1}         # binary targets: chosen on the validation rows
    callbacks:
      early_stopping: {monitor: val_loss, patience: 10, min_delta: 0, restore_best_weights: true}
      tensorboard: {histogram_freq: 0}   # false turns a callback off
    out: runs/boston                # the run folder

Every key, its default and the values it takes are declared once, in
:data:`neurona.cli.schema.RUN_SCHEMA` (the documentation's reference page is generated from
it). YAML is read with ``yaml.safe_load`` only, so a file can never build Python objects;
unknown keys are refused with a "did you mean" suggestion.
"""

import copy
import os

from .._yaml import read_text, safe_load
from ..data._target import TARGET_TRANSFORMS
from . import schema
from .errors import CLIError
from .schema import TASKS, type_name as _type_name

DEFAULTS = schema.defaults()


def layer_specs(value):
    """``layers`` as a list of complete layer mappings (sizes alone allowed)."""
    return schema.RUN_SCHEMA.keys["layers"].check("layers", value)


def validate(raw, base_dir=None):
    """Check every key and value of a run configuration and fill in the defaults.

    Args:
        raw: the dict read from YAML (and/or built from options).
        base_dir: directory that a relative ``data`` path is resolved against (the YAML file's
            directory); None keeps it relative to the working directory.

    Returns:
        A new, complete configuration dict (see :data:`neurona.cli.schema.RUN_SCHEMA`).

    Raises:
        CLIError: naming the first bad key or value.
    """
    config = schema.RUN_SCHEMA("config", raw)
    for key in ("data", "target"):
        if config[key] is None:
            raise CLIError(f"the configuration needs {key!r} (in the YAML file or "
                           f"{'as DATA.csv' if key == 'data' else '--target COLUMN'})")
    if base_dir is not None and not os.path.isabs(config["data"]):
        config["data"] = os.path.normpath(os.path.join(base_dir, config["data"]))
    transform = config["target_transform"]
    if transform is not None and config["task"] in ("binary", "multiclass"):
        raise CLIError(f"target_transform: {transform} applies to regression targets, but task "
                       f"is {config['task']}; remove target_transform")
    split = config["split"]
    if split["validation"] + split["test"] >= 1.0:
        raise CLIError(f"split.validation + split.test must leave rows to train on, got "
                       f"{split['validation']} + {split['test']} >= 1")
    comp = config["compile"]
    if comp["momentum"] is not None and comp["optimizer"] != "sgd":
        raise CLIError(f"compile.momentum applies to optimizer: sgd, but the optimizer is "
                       f"{comp['optimizer']!r}; remove momentum or use sgd")
    _check_threshold(config["threshold"])
    return config


def _check_threshold(threshold):
    """The threshold keys that the chosen metric needs, and none that it would ignore."""
    needs = {"recall_at_precision": "min_precision", "precision_at_recall": "min_recall",
             "fixed": "value"}
    metric = threshold["metric"]
    wanted = needs.get(metric)
    if wanted is not None and threshold[wanted] is None:
        option = {"min_precision": "--min-precision", "min_recall": "--min-recall",
                  "value": "--threshold"}[wanted]
        raise CLIError(f"threshold.metric: {metric} needs threshold.{wanted} ({option} on the "
                       "command line)")
    for key in needs.values():
        if key != wanted and threshold[key] is not None:
            users = [m for m, k in needs.items() if k == key]
            raise CLIError(f"threshold.{key} is used by threshold.metric: {users[0]}, but the "
                           f"metric is {metric}; remove it or change the metric")


# -- YAML ----------------------------------------------------------------------------------------
def load_yaml(path):
    """Read a run configuration from YAML with ``yaml.safe_load`` (never builds objects).

    Returns:
        The raw dict (validate it with :func:`validate`).

    Raises:
        CLIError: missing file, not UTF-8, invalid YAML, a ``!!python/...`` tag, an alias,
            nesting deeper than 64 levels, or not a mapping.
    """
    try:
        import yaml
    except ImportError:
        raise CLIError('reading a YAML configuration needs PyYAML: pip install "neurona[cli]"') \
            from None
    if not os.path.isfile(path):
        raise CLIError(f"{path}: no such file")
    text = read_text(path, CLIError)
    try:
        raw = safe_load(text)  # aliases and deep nesting refused: bounded by the file's size
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
    ``--task``, ``--target-transform``, ``--drop``, and how the CSV is read (``--sep``,
    ``--na-values``)."""
    parser.add_argument("source", metavar="DATA.csv|CONFIG.yaml", help=source_help)
    parser.add_argument("--target", help="the column to predict (required with a CSV)")
    parser.add_argument("--task", choices=TASKS, help="default: inferred from the target")
    parser.add_argument("--target-transform", choices=TARGET_TRANSFORMS, help=transform_help)
    parser.add_argument("--drop", metavar="COLS", help="comma-separated columns to leave out")
    add_csv_arguments(parser)


def add_csv_arguments(parser):
    """``--sep`` and ``--na-values``: how a CSV file is read (train, tune, evaluate, predict)."""
    parser.add_argument("--sep", metavar="CHAR", help="field separator of the CSV: ',', ';', "
                        "'tab', '|' (default: sniffed from the file)")
    parser.add_argument("--na-values", metavar="VALUES", help="comma-separated cell values "
                        "that mark a missing value, e.g. '?,-' (besides empty, NA, NaN)")


def separator(text):
    """The ``--sep`` text as the character: ``tab`` or ``\\t`` mean a tab."""
    if text is None:
        return None
    if text.lower() in ("tab", "\\t", "\t"):
        return "\t"
    if len(text) != 1:
        raise CLIError(f"--sep must be one character (or 'tab'), got {text!r}")
    return text


def add_threshold_arguments(parser):
    """How a binary classifier's decision threshold is chosen on the validation rows."""
    from .schema import THRESHOLD_METRICS

    parser.add_argument("--threshold-metric", choices=THRESHOLD_METRICS,
                        help="binary targets: choose the decision threshold on the validation "
                        "rows by this metric (default f1; recall_at_precision needs "
                        "--min-precision, precision_at_recall --min-recall, fixed --threshold)")
    parser.add_argument("--min-precision", type=float, metavar="P",
                        help="the precision floor of --threshold-metric recall_at_precision")
    parser.add_argument("--min-recall", type=float, metavar="R",
                        help="the recall floor of --threshold-metric precision_at_recall")
    parser.add_argument("--threshold", type=float, metavar="T",
                        help="a fixed decision threshold (implies --threshold-metric fixed)")


def threshold_overrides(args):
    """The threshold options as dotted configuration keys."""
    metric = args.threshold_metric
    if args.threshold is not None and metric is None:
        metric = "fixed"
    return {"threshold.metric": metric, "threshold.min_precision": args.min_precision,
            "threshold.min_recall": args.min_recall, "threshold.value": args.threshold}


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
            "columns.drop": comma_list(args.drop, "--drop"), **csv_overrides(args)}


def csv_overrides(args):
    """``--sep`` and ``--na-values`` as dotted configuration keys."""
    return {"csv.sep": separator(args.sep),
            "csv.na_values": None if args.na_values is None else
            [item.strip() for item in args.na_values.split(",")]}


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
