"""What ``compile`` was given, resolved against the model's outputs: one loss, weight and metric
list per output, the targets checked and shaped per output, and Keras's log names.

``compile`` may run before the model knows its outputs (a subclassed model builds on its first
batch), so :class:`CompiledSetup` keeps the user's arguments and resolves them once the outputs
are known (:meth:`CompiledSetup.build`). Structures are Keras's: a single loss applies to every
output; a list gives one per output, in order; a dict one per output name (missing names get
none). ``loss_weights`` and ``metrics`` follow the same rules (for several outputs, metrics are
a list of lists or a dict). Logs: ``loss`` (the total), ``<output>_loss`` per output when more
than one output has a loss, each metric by name, prefixed ``<output>_`` when the model has
several outputs.
"""

import collections
import numbers

import numpy as np

from .. import tree
from ..validation import did_you_mean


class OutputInfo:
    """One model output: its ``name``, the ``layer`` that produces it (None for a subclassed
    model) and its ``shape`` (batch axis None)."""

    def __init__(self, name, layer, shape):
        self.name, self.layer, self.shape = name, layer, shape


class OutputSetup:
    """The loss, weight and metrics of one output."""

    def __init__(self, info, loss, loss_name, weight, metrics):
        self.info, self.loss, self.loss_name, self.weight = info, loss, loss_name, weight
        self.metrics = metrics  # [(metric, weighted), ...]


class CompiledSetup:
    """``compile``'s loss, loss_weights, metrics and weighted_metrics, resolved per output."""

    def __init__(self, loss, loss_weights, metrics, weighted_metrics):
        self.loss, self.loss_weights = loss, loss_weights
        self.metrics, self.weighted_metrics = metrics, weighted_metrics
        self.outputs = None  # [OutputSetup], once built
        self.structure = None  # "single", "list" or "dict": how the model returns its outputs
        _check_loss_weights_values(loss_weights)

    @property
    def built(self):
        return self.outputs is not None

    def build(self, infos, structure):
        """Resolve every argument against the model's outputs (``infos``, in order)."""
        from .. import losses, metrics as metrics_module

        names = [info.name for info in infos]
        loss_specs = _per_output("loss", self.loss, names, single_applies_to_all=True)
        weights = _per_output("loss_weights", self.loss_weights, names,
                              single_applies_to_all=len(names) == 1)
        outputs = []
        groups = [(_metric_lists("metrics", self.metrics, names), False),
                  (_metric_lists("weighted_metrics", self.weighted_metrics, names), True)]
        for i, info in enumerate(infos):
            spec = loss_specs[i]
            loss = losses.get(spec)
            loss_name = spec if isinstance(spec, str) else getattr(loss, "name", None)
            kind = getattr(loss, "label_kind", None)
            label_kind = kind if kind in ("binary", "categorical", "sparse_categorical") else None
            specs = [(metrics_module.get(m, label_kind=label_kind), weighted)
                     for lists, weighted in groups for m in lists[i]]
            weight = 1.0 if weights[i] is None else float(weights[i])
            outputs.append(OutputSetup(info, loss, loss_name, weight, specs))
        self.outputs, self.structure = outputs, structure
        self._check_names()

    def _check_names(self):
        names = self.log_names()
        repeated = sorted(n for n, count in collections.Counter(names).items() if count > 1)
        if repeated:
            raise ValueError(f"compile: metric names must be unique and differ from the loss "
                             f"names; repeated: {repeated}. Give the metrics names "
                             "(e.g. keras.metrics.MeanAbsoluteError(name='mae_2'))")

    # -- names ------------------------------------------------------------------------------
    @property
    def several(self):
        return len(self.outputs) > 1

    def with_loss(self):
        return [out for out in self.outputs if out.loss is not None]

    def loss_names(self):
        """The per-output loss log names (empty unless several outputs have a loss)."""
        scored = self.with_loss()
        return [f"{out.info.name}_loss" for out in scored] if len(scored) > 1 else []

    def metric_names(self):
        """The metric log names, in the order of :meth:`metric_entries`."""
        return [name for name, _, _, _ in self.metric_entries()]

    def metric_entries(self):
        """``(log name, output index, metric, weighted)`` for every compiled metric."""
        entries, seen = [], set()
        for i, out in enumerate(self.outputs):
            for metric, weighted in out.metrics:
                name = metric.name
                if weighted and name in {m.name for m, w in out.metrics if not w}:
                    name = f"weighted_{name}"
                if self.several:
                    name = f"{out.info.name}_{name}"
                base, k = name, 1
                while name in seen:
                    name, k = f"{base}_{k}", k + 1
                seen.add(name)
                entries.append((name, i, metric, weighted))
        return entries

    def log_names(self):
        return ["loss"] + self.loss_names() + self.metric_names()

    # -- targets ----------------------------------------------------------------------------
    def targets_list(self, y, what="y"):
        """The user's ``y`` as a list in output order (None for outputs it does not give)."""
        names = [out.info.name for out in self.outputs]
        if not tree.is_nested(y):
            if len(names) != 1:
                raise ValueError(f"{what}: the model has {len(names)} outputs {names} but one "
                                 f"target array was given; pass a list of {len(names)} arrays "
                                 f"or a dict keyed by {names}")
            return [y]
        if isinstance(y, dict):
            unknown = [k for k in y if k not in names]
            if unknown:
                raise ValueError(f"{what}: {unknown[0]!r} names no output of the model; outputs "
                                 f"are {names}.{did_you_mean(unknown[0], names)}")
            missing = [o.info.name for o in self.with_loss() if o.info.name not in y]
            if missing:
                raise ValueError(f"{what}: no targets for output {missing[0]!r}, which has a "
                                 f"loss; pass y={{{', '.join(repr(n) for n in names)}: ...}}")
            return [y.get(name) for name in names]
        if len(y) != len(names):
            if len(names) == 1:  # a list of rows for the one output
                return [y]
            raise ValueError(f"{what}: the model has {len(names)} outputs {names} but {len(y)} "
                             f"target arrays were given; pass one per output, in order")
        return list(y)

    def sample_weights_list(self, sample_weight):
        """``sample_weight`` per output: one array for all, a list, or a dict by name."""
        n = len(self.outputs)
        if sample_weight is None or not tree.is_nested(sample_weight):
            return [sample_weight] * n
        if isinstance(sample_weight, dict):
            names = [out.info.name for out in self.outputs]
            unknown = [k for k in sample_weight if k not in names]
            if unknown:
                raise ValueError(f"sample_weight: {unknown[0]!r} names no output; outputs are "
                                 f"{names}.{did_you_mean(unknown[0], names)}")
            return [sample_weight.get(name) for name in names]
        if len(sample_weight) == n and n > 1:
            return list(sample_weight)
        return [sample_weight] * n

    def outputs_list(self, y_pred):
        """The model's outputs (a single tensor, a list or a dict) as a list in output order."""
        if isinstance(y_pred, dict):
            return [y_pred[out.info.name] for out in self.outputs]
        if isinstance(y_pred, (list, tuple)):
            return list(y_pred)
        return [y_pred]

    def pack_outputs(self, values):
        """A list in output order back into the model's output structure."""
        if self.structure == "dict":
            return {out.info.name: v for out, v in zip(self.outputs, values)}
        if self.structure == "list":
            return list(values)
        return values[0]

    # -- loss -------------------------------------------------------------------------------
    def losses(self, ys, preds, sample_weights):
        """``(total, [per-output loss or None])`` as Tensors; ``total`` is None when no output
        has a loss."""
        total, parts = None, []
        for out, y, pred, sw in zip(self.outputs, ys, preds, sample_weights):
            if out.loss is None:
                parts.append(None)
                continue
            value = out.loss(y, pred, sample_weight=sw) if sw is not None else out.loss(y, pred)
            parts.append(value)
            if out.weight != 1.0:
                value = value * out.weight
            total = value if total is None else total + value
        return total, parts

    def update_metrics(self, ys, preds, sample_weights):
        """Add one batch to every compiled metric (``preds`` are arrays)."""
        for out, y, pred, sw in zip(self.outputs, ys, preds, sample_weights):
            for metric, weighted in out.metrics:
                metric.update_state(y, pred, sw if weighted else None)

    def all_metrics(self):
        return [metric for out in self.outputs for metric, _ in out.metrics]

    def get_config(self):
        """The compile arguments as JSON-friendly structures (see :func:`serialize_argument`)."""
        return {"loss": serialize_argument(self.loss, "loss"),
                "loss_weights": self.loss_weights,
                "metrics": serialize_argument(self.metrics, "metric"),
                "weighted_metrics": serialize_argument(self.weighted_metrics, "metric")}


def _check_loss_weights_values(loss_weights):
    for value in tree.flatten(loss_weights):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                                  or not np.isfinite(value)):
            raise ValueError(f"compile: loss_weights must hold finite numbers, got "
                             f"loss_weights={loss_weights!r}")


def _per_output(arg, value, names, single_applies_to_all):
    """``value`` (a single spec, a list or a dict) as one entry per output."""
    n = len(names)
    if value is None:
        return [None] * n
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"compile: {arg} has the key {unknown[0]!r}, which names no output "
                             f"of the model; outputs are {names}."
                             f"{did_you_mean(unknown[0], names)}")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"compile: {arg} has {len(value)} entries but the model has {n} "
                             f"output(s) {names}; pass one per output, in order, or a dict "
                             "keyed by output name")
        return list(value)
    if single_applies_to_all:
        return [value] * n
    raise ValueError(f"compile: {arg}={value!r} is one value but the model has {n} outputs "
                     f"{names}; pass a list with one per output or a dict keyed by output name")


def _metric_lists(arg, value, names):
    """``metrics``/``weighted_metrics`` as one list of identifiers per output."""
    n = len(names)
    if value is None:
        return [[] for _ in names]
    if isinstance(value, dict):
        return [_as_list(v) for v in _per_output(arg, value, names, False)]
    if isinstance(value, (str,)) or not isinstance(value, (list, tuple)):
        value = [value]
    if n == 1:
        return [list(value)]
    if len(value) == n:  # entry i (a metric, a list of them or None) for output i, as Keras
        return [_as_list(v) for v in value]
    raise ValueError(f"compile: for a model with {n} outputs {names}, {arg} must be a list of "
                     f"{n} entries (a metric or a list of metrics per output) or a dict keyed "
                     f"by output name, got {arg}={value!r}")


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def serialize_argument(value, kind):
    """A loss or metric argument (a structure of names, objects and Nones) as JSON: names
    stay names, objects become ``{"class_name", "config"}``."""
    from .. import losses, metrics

    serialize = losses.serialize if kind == "loss" else metrics.serialize

    def one(item):
        if item is None or isinstance(item, str):
            return item
        return serialize(item)

    if isinstance(value, dict):
        return {k: serialize_argument(v, kind) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [serialize_argument(v, kind) for v in value]
    return one(value)


def deserialize_argument(value, kind):
    """The inverse of :func:`serialize_argument` (names stay names)."""
    from .. import losses, metrics

    deserialize = losses.deserialize if kind == "loss" else metrics.deserialize
    if isinstance(value, dict) and not ("class_name" in value and "config" in value):
        return {k: deserialize_argument(v, kind) for k, v in value.items()}
    if isinstance(value, list):
        return [deserialize_argument(v, kind) for v in value]
    if value is None or isinstance(value, str):
        return value
    return deserialize(value)
