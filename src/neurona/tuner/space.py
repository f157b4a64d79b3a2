"""Search spaces: the define-by-run ``hp`` object and the declarative space of YAML files.

In Python a model-building function asks for values as it goes (KerasTuner's names)::

    def build_model(hp):
        model = neurona.Sequential()
        for i in range(hp.Int("layers", 1, 3)):          # units_2 exists only with >= 2 layers
            model.add(Dense(hp.Int(f"units_{i + 1}", 16, 256, sampling="log"), activation="relu"))
        ...

A YAML (or dict) space declares the same parameters up front, in order::

    layers: {type: int, low: 1, high: 3}
    units: {type: int, low: 16, high: 256, log: true, per_layer: layers}   # units_1..units_k
    activation: [relu, tanh, elu]                                          # a list: a choice
    optimizer: [adam, sgd]
    momentum: {type: float, low: 0.0, high: 0.95, when: {optimizer: sgd}}  # conditional
    batch_size: 64                                                         # a scalar: fixed

Values are drawn through an Optuna trial, so every Optuna sampler works on both forms.
"""

import math

from .objectives import suggestion

__all__ = ["HyperParameters", "SearchSpace", "SearchSpaceError"]


class SearchSpaceError(ValueError):
    """A search space (or a value asked of ``hp``) that cannot be sampled; the message says
    which parameter, what is wrong and the fix."""


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_range(name, low, high, log, step, integer):
    kind = "integer" if integer else "number"
    for label, value in (("low", low), ("high", high)):
        if not _is_number(value) or (integer and int(value) != value) or value != value:
            raise SearchSpaceError(f"parameter {name!r}: {label} must be an {kind}, "
                                   f"got {value!r}")
    if low > high:
        raise SearchSpaceError(f"parameter {name!r}: low {low!r} is above high {high!r}; "
                               "swap them")
    if log and low <= 0:
        raise SearchSpaceError(f"parameter {name!r}: a log scale needs low > 0, got {low!r}; "
                               "use a positive lower bound (e.g. 1e-6) or log: false")
    if step is not None:
        if not _is_number(step) or step <= 0 or (integer and int(step) != step):
            raise SearchSpaceError(f"parameter {name!r}: step must be a positive {kind}, "
                                   f"got {step!r}")
        if log:
            raise SearchSpaceError(f"parameter {name!r}: step and a log scale cannot be "
                                   "combined; drop one of them")


class HyperParameters:
    """The ``hp`` handed to a model-building function: each call returns this trial's value.

    Asking twice for the same name returns the same value. The names and arguments follow
    KerasTuner (``Int``, ``Float``, ``Choice``, ``Boolean``, ``Fixed``, ``sampling="log"``).

    Args:
        trial: an Optuna trial (or ``optuna.trial.FixedTrial`` to rebuild a chosen model).
    """

    def __init__(self, trial):
        self.trial = trial
        self.values = {}

    def _keep(self, name, value):
        self.values[name] = value
        return value

    def Int(self, name, min_value, max_value, step=1, sampling="linear"):
        """An integer in ``[min_value, max_value]`` (both included)."""
        log = _sampling(name, sampling)
        _check_range(name, min_value, max_value, log, None if log else step, integer=True)
        return self._keep(name, self.trial.suggest_int(name, int(min_value), int(max_value),
                                                       step=1 if log else int(step), log=log))

    def Float(self, name, min_value, max_value, step=None, sampling="linear"):
        """A float in ``[min_value, max_value]``; ``sampling="log"`` for rates and strengths."""
        log = _sampling(name, sampling)
        _check_range(name, min_value, max_value, log, step, integer=False)
        return self._keep(name, self.trial.suggest_float(name, float(min_value),
                                                         float(max_value), step=step, log=log))

    def Choice(self, name, values):
        """One of ``values`` (strings, numbers, booleans or None)."""
        _check_choices(name, values)
        return self._keep(name, self.trial.suggest_categorical(name, list(values)))

    def Boolean(self, name):
        """True or False."""
        return self._keep(name, self.trial.suggest_categorical(name, [False, True]))

    def Fixed(self, name, value):
        """A constant, recorded with the trial's parameters."""
        return self._keep(name, self.trial.suggest_categorical(name, [value]))

    def get(self, name):
        """The value already drawn for ``name``."""
        if name not in self.values:
            raise KeyError(f"hp.get({name!r}): no value drawn yet; drawn: "
                           f"{', '.join(self.values) or 'none'}")
        return self.values[name]


def _sampling(name, sampling):
    if sampling not in ("linear", "log"):
        raise SearchSpaceError(f"parameter {name!r}: sampling must be 'linear' or 'log', "
                               f"got {sampling!r}")
    return sampling == "log"


def _check_choices(name, values):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__") or not len(values):
        raise SearchSpaceError(f"parameter {name!r}: a choice needs a non-empty list of values, "
                               f"got {values!r}")
    for value in values:
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise SearchSpaceError(f"parameter {name!r}: choice values must be strings, numbers, "
                                   f"booleans or null, got {value!r}")


# -- the declarative space -------------------------------------------------------------------
#: the parameter types of a declared space, with what they draw (the documentation's
#: reference of ``--space`` files is generated from these tables)
TYPE_HELP = {
    "int": "an integer in [low, high] (log: true samples on a log scale; step: a grid)",
    "float": "a number in [low, high] (log: true for rates and strengths; step: a grid)",
    "choice": "one of values (a YAML list alone is a choice)",
    "bool": "true or false",
    "fixed": "always value (a YAML scalar alone is fixed)",
}
#: the keys of one parameter's mapping
KEY_HELP = {
    "type": "int, float, choice, bool or fixed (default: choice when values is given)",
    "low": "the smallest value (int, float)",
    "high": "the largest value, included (int, float)",
    "step": "the spacing of the values (int, float; not with log)",
    "log": "sample on a log scale (int, float; needs low > 0)",
    "values": "the values of a choice: strings, numbers, booleans or null",
    "value": "the value of a fixed parameter",
    "per_layer": "the name of an earlier integer parameter k: one value per layer, named "
                 "name_1..name_k",
    "when": "{earlier parameter: value or list of values}: the parameter exists only then",
}
_TYPES = tuple(TYPE_HELP)
_KEYS = set(KEY_HELP)


class _Param:
    """One declared parameter, checked when the space is made."""

    def __init__(self, name, spec):
        self.name = name
        if isinstance(spec, list):
            spec = {"type": "choice", "values": spec}
        elif not isinstance(spec, dict):
            spec = {"type": "fixed", "value": spec}
        unknown = [k for k in spec if k not in _KEYS]
        if unknown:
            raise SearchSpaceError(f"parameter {name!r}: unknown key {unknown[0]!r}"
                                   f"{suggestion(unknown[0], sorted(_KEYS))}")
        self.type = spec.get("type", "choice" if "values" in spec else None)
        if self.type not in _TYPES:
            raise SearchSpaceError(f"parameter {name!r}: type must be one of "
                                   f"{', '.join(_TYPES)}, got {self.type!r}"
                                   f"{suggestion(self.type, _TYPES)}")
        self.low, self.high = spec.get("low"), spec.get("high")
        self.step, self.log = spec.get("step"), bool(spec.get("log", False))
        self.values, self.value = spec.get("values"), spec.get("value")
        self.per_layer, self.when = spec.get("per_layer"), spec.get("when") or {}
        if self.type in ("int", "float"):
            _check_range(name, self.low, self.high, self.log, self.step, self.type == "int")
        elif self.type == "choice":
            _check_choices(name, self.values)
        elif self.type == "fixed" and "value" not in spec:
            raise SearchSpaceError(f"parameter {name!r}: a fixed parameter needs 'value'")
        if not isinstance(self.when, dict):
            raise SearchSpaceError(f"parameter {name!r}: when must map earlier parameters to "
                                   f"a value or a list of values, got {self.when!r}")

    def is_integer(self):
        """Whether every value is an integer (a layer count can be)."""
        def whole(value):
            return isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if self.type == "choice":
            return all(whole(v) for v in self.values)
        return self.type == "int" or (self.type == "fixed" and whole(self.value))

    def draw(self, hp, name):
        if self.type == "int":
            return hp.Int(name, self.low, self.high, step=self.step or 1,
                          sampling="log" if self.log else "linear")
        if self.type == "float":
            return hp.Float(name, self.low, self.high, step=self.step,
                            sampling="log" if self.log else "linear")
        if self.type == "choice":
            return hp.Choice(name, self.values)
        if self.type == "bool":
            return hp.Boolean(name)
        return hp.Fixed(name, self.value)

    def grid_values(self):
        """Every value of a discrete parameter (for grid search)."""
        if self.type == "choice":
            return list(self.values)
        if self.type == "bool":
            return [False, True]
        if self.type == "fixed":
            return [self.value]
        if self.type == "int" and not self.log:
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.type == "float" and self.step is not None:
            count = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
            return [self.low + i * self.step for i in range(count)]
        raise SearchSpaceError(f"parameter {self.name!r}: grid search needs a list of values; "
                               "write it as a choice (a list) or give a step")


class SearchSpace:
    """A declared search space (from a dict or a YAML file), sampled in declaration order.

    Args:
        params: ``{name: spec}``; a spec is a list (a choice), a scalar (fixed), or a dict
            with ``type`` (int, float, choice, bool, fixed), ``low``/``high``/``step``/``log``,
            ``values``, ``value``, ``per_layer`` (the name of an earlier integer parameter:
            one value per layer, named ``name_1``..``name_k``) and ``when`` (``{earlier
            parameter: value or list}``: the parameter exists only then).

    Raises:
        SearchSpaceError: naming the first bad parameter.
    """

    def __init__(self, params):
        if not isinstance(params, dict) or not params:
            raise SearchSpaceError(f"a search space must be a non-empty mapping of parameter "
                                   f"names to ranges, got {params!r}")
        self.params = {}
        for name, spec in params.items():
            if not isinstance(name, str) or not name:
                raise SearchSpaceError(f"parameter names must be strings, got {name!r}")
            param = _Param(name, spec)
            for ref in list(param.when) + ([param.per_layer] if param.per_layer else []):
                if ref not in self.params:
                    raise SearchSpaceError(
                        f"parameter {name!r} depends on {ref!r}, which is not declared before "
                        f"it{suggestion(ref, self.params)}; declare {ref!r} first")
            if param.per_layer and not self.params[param.per_layer].is_integer():
                raise SearchSpaceError(f"parameter {name!r}: per_layer must name an integer "
                                       f"parameter; {param.per_layer!r} is not one")
            self.params[name] = param

    @classmethod
    def from_yaml(cls, path):
        """Read a space from a YAML file (safe loading: no Python objects); a top-level
        ``space:`` key is accepted too."""
        import yaml

        from .._yaml import read_text, safe_load

        try:  # aliases and deep nesting are refused, as in run configurations
            raw = safe_load(read_text(path, SearchSpaceError))
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise SearchSpaceError(f"{path}: invalid YAML{where}: "
                                   f"{getattr(err, 'problem', None) or err}") from None
        if isinstance(raw, dict) and set(raw) == {"space"}:
            raw = raw["space"]
        try:
            return cls(raw)
        except SearchSpaceError as err:
            raise SearchSpaceError(f"{path}: {err}") from None

    def names(self):
        """The declared parameter names, in order."""
        return list(self.params)

    def sample(self, hp):
        """Draw every active parameter through ``hp``; returns ``{name: value}`` where a
        per-layer parameter gives a list."""
        values = {}
        for name, param in self.params.items():
            if not all(_matches(values.get(ref), want) for ref, want in param.when.items()):
                continue
            if param.per_layer:
                count = values.get(param.per_layer)
                if count is None:  # the layer count itself is inactive in this trial
                    continue
                values[name] = [param.draw(hp, f"{name}_{i + 1}") for i in range(int(count))]
            else:
                values[name] = param.draw(hp, name)
        return values

    def grid(self):
        """``{name: values}`` for Optuna's GridSampler.

        Raises:
            SearchSpaceError: a continuous or conditional parameter (a grid has no place
                for either).
        """
        grid = {}
        for name, param in self.params.items():
            if param.when or param.per_layer:
                raise SearchSpaceError(
                    f"parameter {name!r} is conditional ({'when' if param.when else 'per_layer'}"
                    "); grid search needs every parameter in every trial: use sampler 'random' "
                    "or 'tpe', or list whole layer sizes as a choice")
            grid[name] = param.grid_values()
        return grid

    def size(self):
        """The number of grid points (see :meth:`grid`)."""
        return math.prod(len(v) for v in self.grid().values())


def _matches(value, want):
    return value in want if isinstance(want, list) else value == want
