"""An optimizer's state in Keras 3's layout: ``optimizer/vars/0, 1, ...``.

Keras lists ``iteration``, then ``learning_rate`` (absent when a schedule drives the rate),
then the per-variable slots: for each group of slot names an optimizer builds together, the
slots of every trainable variable in ``model.trainable_variables`` order, interleaved by name
(Adam: the momentum and velocity of the first variable, then of the second, ...), then any
scalar state (Nadam's ``u_product``). neurona's slots mean the same as Keras's except Adam's,
which are kept as decayed sums (``gradient_sum = momentum / (1 - beta_1)``); they are converted
here.
"""

import numpy as np

from ..errors import ModelFileError

#: neurona's Adam slot -> (Keras's slot, the beta whose complement scales it)
_ADAM_SLOTS = {"gradient_sum": ("momentum", "beta_1"), "square_sum": ("velocity", "beta_2"),
               "square_sum_max": ("velocity_hat", "beta_2")}


def slot_groups(optimizer):
    """The groups of slot names Keras builds for ``optimizer``, in order, and its scalar state.

    Raises:
        ValueError: an optimizer Keras has no layout for.
    """
    kind = type(optimizer).__name__
    if kind == "SGD":
        return ([["momentum"]] if optimizer.momentum else []), []
    if kind in ("Adam", "AdamW"):
        return [["momentum", "velocity"]] + ([["velocity_hat"]] if optimizer.amsgrad else []), []
    if kind == "RMSprop":
        return ([["velocity"]] + ([["momentum"]] if optimizer.momentum else [])
                + ([["average_gradient"]] if optimizer.centered else [])), []
    if kind == "Adagrad":
        return [["accumulator"]], []
    if kind == "Nadam":
        return [["momentum", "velocity"]], ["u_product"]
    if kind == "Adamax":
        return [["momentum", "norm"]], []
    raise ValueError(f"The state of optimizer {kind} has no Keras 3 layout; save the model in "
                     "neurona's format (.neurona), or without the optimizer")


def _uses_schedule(optimizer):
    return callable(optimizer._learning_rate)


def _keras_slot(optimizer, name, value):
    """neurona's slot ``name`` as Keras's ``(name, value)``."""
    if type(optimizer).__name__ in ("Adam", "AdamW") and name in _ADAM_SLOTS:
        keras_name, beta = _ADAM_SLOTS[name]
        return keras_name, np.asarray(value) * (1.0 - getattr(optimizer, beta))
    return name, np.asarray(value)


def optimizer_arrays(model, trainable):
    """``{"0": iteration, "1": learning rate, ...}`` of ``model.optimizer`` in Keras's order.

    Args:
        model: a compiled model (its optimizer's slots are numbered as its trainable weights,
            which ``fit`` builds it on).
        trainable: the model's trainable variables in Keras's order.
    """
    optimizer = model.optimizer
    groups, scalars = slot_groups(optimizer)
    state = optimizer.get_state()
    values = [np.asarray(state["iterations"], dtype=np.int64)]
    if not _uses_schedule(optimizer):
        values.append(np.asarray(state["learning_rate"], dtype=np.float32))
    index = {id(v): i for i, v in enumerate(model.trainable_weights)}
    slots = {}
    if any("/" in key for key in state):
        for key, value in state.items():
            name, slash, i = key.partition("/")
            if slash:
                keras_name, converted = _keras_slot(optimizer, name, value)
                slots[(keras_name, int(i))] = converted
    else:  # not built yet: the slots a first step starts from, as Keras builds them at load
        for name, initial in optimizer.slot_defaults().items():
            for i, variable in enumerate(model.trainable_weights):
                keras_name, converted = _keras_slot(optimizer, name,
                                                    np.full(variable.shape, initial))
                slots[(keras_name, i)] = converted
    for group in groups:
        for variable in trainable:
            for name in group:
                values.append(slots[(name, index[id(variable)])].astype(np.float32))
    values += [np.asarray(getattr(optimizer, name), dtype=np.float32) for name in scalars]
    return {str(i): v for i, v in enumerate(values)}


def restore_optimizer(model, arrays, trainable, where):
    """Set ``model.optimizer``'s state from Keras's ``optimizer/vars`` arrays.

    Args:
        model: the compiled model.
        arrays: ``{index: array}`` of ``optimizer/vars``.
        trainable: the model's trainable variables in Keras's order.
        where: how messages name the file.
    """
    optimizer = model.optimizer
    try:
        groups, scalars = slot_groups(optimizer)
    except ValueError as err:
        raise ModelFileError(f"{where}: {err}") from None
    head = 1 if _uses_schedule(optimizer) else 2
    slots = sum(len(g) for g in groups) * len(trainable) + len(scalars)
    if sorted(arrays) != list(range(len(arrays))) or len(arrays) not in (head, head + slots):
        raise ModelFileError(
            f"{where}: the optimizer state holds {len(arrays)} arrays, but "
            f"{type(optimizer).__name__} on this model has {head} (not built) or {head + slots}; "
            "it was saved with another optimizer or model")
    values = [arrays[i] for i in range(len(arrays))]
    state = {k: v for k, v in optimizer.get_state().items() if "/" not in k}
    state["iterations"] = int(values[0])
    if head == 2:
        state["learning_rate"] = np.asarray(float(values[1]))
    if len(values) > head:
        optimizer.build(model.trainable_weights)
        index = {id(v): i for i, v in enumerate(model.trainable_weights)}
        position = head
        for group in groups:
            for variable in trainable:
                for name in group:
                    value = values[position]
                    position += 1
                    if value.shape != tuple(variable.shape):
                        raise ModelFileError(f"{where}: optimizer slot {name!r} of "
                                             f"{variable.path!r} has shape {value.shape}, "
                                             f"expected {tuple(variable.shape)}")
                    state[f"{name}/{index[id(variable)]}"] = value.astype(variable.data.dtype)
        for name in scalars:
            state[name] = np.asarray(float(values[position]))
            position += 1
    try:
        optimizer.set_state(state)
    except ValueError as err:
        raise ModelFileError(f"{where}: invalid optimizer state: {err}") from err
