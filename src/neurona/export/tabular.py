"""A run folder's preprocessing inside the ONNX graph: raw table rows in, what
``neurona predict`` writes out.

In front of the network, the fitted :class:`~neurona.data.TabularEncoder`: each numeric column
(double ``[batch, 1]``) has a missing value (NaN) replaced by the training mean and is
standardized; each categorical column is one-hot encoded over the training categories with the
final unknown bucket: a column of numeric codes (0/1, 3/4/5) is a double input (NaN when
missing), any other a string input (``[batch, 1]``, the encoder's text form of the value:
``"Yes"``, ``"True"``; ``""`` when missing). After the network, the target's terms: the inverse
target transform (regression), or the class probabilities and the predicted class with the
decision threshold (classification).
"""

import reprlib

import numpy as np

from ..data import _columns as C

#: the decision threshold of a binary target when the run folder records none
DEFAULT_THRESHOLD = 0.5


def decision_threshold(preprocessing):
    """The binary decision threshold a run folder's preprocessing record holds (0.5 when it
    holds none, as ``neurona predict`` then uses). The record is data from a file:
    ``{"value": p, "metric": ..., ...}`` with ``p`` a probability, or None."""
    record = preprocessing.get("threshold")
    if record is None:
        return DEFAULT_THRESHOLD
    value = record.get("value") if isinstance(record, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"the saved decision threshold must be a record whose 'value' is a "
                         f"number in [0, 1], got {reprlib.repr(record)}; the model file was "
                         "altered or written by another program")
    return float(value)


def fitted_state(preprocessing):
    """``(features, target)``: what the record's encoder learned (its ``get_config()``'s
    ``fitted`` entry, after the encoder validated it), or a ValueError."""
    from ..data import TabularEncoder

    try:
        encoder = TabularEncoder.from_config(preprocessing["encoder"])
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"export: the preprocessing record holds no valid encoder ({err})") \
            from None
    fitted = encoder.get_config().get("fitted")
    if fitted is None:
        raise ValueError("export: the preprocessing record's encoder is not fitted")
    return fitted["features"], fitted["target"]


def n_features(features):
    """How many network inputs the encoder's ``features`` make (one per number, categories
    plus the unknown bucket per categorical column)."""
    return sum(1 if f["kind"] == "numeric" else len(f["categories"]) + 1 for f in features)


def tabular_features(g, preprocessing, model_input_shape):
    """Add one graph input per raw column and the encoding; returns the features' name."""
    onnx = g.onnx
    features, _ = fitted_state(preprocessing)
    if tuple(model_input_shape[1:]) != (n_features(features),):
        raise ValueError(f"export: the encoder makes {n_features(features)} features but the "
                         f"model takes inputs of shape {tuple(model_input_shape)}")
    double = onnx.TensorProto.DOUBLE
    # feature-major layout: each column as a row [1, batch], each block [k, batch], stacked
    # along axis 0 and transposed once (concatenating [batch, 1] columns along axis 1 is
    # many times slower in ONNX Runtime)
    row_shape = g.ints([1, -1], "row")
    blocks = []
    for feature in features:
        column = str(feature["name"])
        categories = [str(c) for c in feature.get("categories", [])]
        if feature["kind"] == "numeric":
            x = g.node("Reshape", [g.add_input(column, double, (None, 1)), row_shape])
            mean = g.constant(feature["mean"], f"{column}_mean", dtype=np.float64)
            filled = g.node("Where", [g.node("IsNaN", [x]), mean, x])
            blocks.append(g.node("Div", [g.node("Sub", [filled, mean]),
                                         g.constant(feature["scale"], f"{column}_scale",
                                                    dtype=np.float64)]))
        elif numeric_categories(categories):
            x = g.node("Reshape", [g.add_input(column, double, (None, 1)), row_shape])
            blocks.append(_numeric_one_hot(g, column, x, categories))
        else:
            x = g.node("Reshape", [g.add_input(column, onnx.TensorProto.STRING, (None, 1)),
                                   row_shape])
            blocks.append(_string_one_hot(g, column, x, categories))
    features = g.node("Concat", blocks, axis=0) if len(blocks) > 1 else blocks[0]
    return g.transpose(g.node("Cast", [features], to=g.float_type()), (1, 0), "features")


def _string_one_hot(g, column, x, categories):
    """One-hot ``[K + 1, batch]`` of a string row: a training category to its slot, ``""``
    (missing) to the missing bucket when training had one, anything else to the unknown
    bucket."""
    unknown = len(categories)
    keys = list(categories) + [""]
    values = list(range(len(categories)))
    values.append(categories.index(C.MISSING) if C.MISSING in categories else unknown)
    index = g.node("LabelEncoder", [x], domain="ai.onnx.ml", keys_strings=keys,
                   values_int64s=values, default_int64=unknown)
    hot = g.node("Equal", [index, g.ints(np.arange(unknown + 1).reshape(-1, 1),
                                         f"{column}_slots")])
    return g.node("Cast", [hot], to=g.onnx.TensorProto.DOUBLE)


def numeric_categories(categories):
    """The categories' numbers when every one (but the missing bucket) is the encoder's text
    of a number (a column of codes such as 0/1 or 3/4/5), else None: such a column is a double
    input, compared as numbers."""
    values = []
    for text in categories:
        if text == C.MISSING:
            continue
        try:
            value = float(text)
        except ValueError:
            return None
        if not np.isfinite(value) or C.key(value) != text:
            return None
        values.append(value)
    return values or None


def _numeric_one_hot(g, column, x, categories):
    """One-hot ``[K + 1, batch]`` of a double row over numeric categories: equality per
    category, NaN to the missing bucket (when training had one), anything else to the unknown
    bucket."""
    double = g.onnx.TensorProto.DOUBLE
    values = np.array(numeric_categories(categories)).reshape(-1, 1)
    hits = g.node("Cast", [g.node("Equal", [x, g.constant(values, f"{column}_values",
                                                           dtype=np.float64)])], to=double)
    seen = g.reduce("Max", hits, [0], keepdims=True)
    blocks = [hits]
    rest = g.node("Sub", [g.constant(1.0, "one", dtype=np.float64), seen])
    if C.MISSING in categories:  # fit appends the missing bucket after the categories
        missing = g.node("Cast", [g.node("IsNaN", [x])], to=double)
        blocks.append(missing)
        rest = g.node("Sub", [rest, missing])
    blocks.append(rest)
    return g.node("Concat", blocks, axis=0)


def _class_constant(g, classes):
    """The class values as a constant of their own type, and that ONNX type."""
    onnx = g.onnx
    if all(isinstance(c, bool) for c in classes):
        return g.constant(np.array(classes, dtype=bool), "classes", dtype=bool), \
            onnx.TensorProto.BOOL
    if all(isinstance(c, int) and not isinstance(c, bool) for c in classes):
        return g.ints(classes, "classes"), onnx.TensorProto.INT64
    if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in classes):
        return g.constant(np.array(classes, dtype=np.float64), "classes", dtype=np.float64), \
            onnx.TensorProto.DOUBLE
    return g.constant(np.array([str(c) for c in classes], dtype=object), "classes"), \
        onnx.TensorProto.STRING


def tabular_outputs(g, outputs, preprocessing, output_shape):
    """Add ``neurona predict``'s columns as graph outputs, from the network's ``outputs``."""
    onnx = g.onnx
    double = onnx.TensorProto.DOUBLE
    _, fitted_target = fitted_state(preprocessing)
    target = preprocessing.get("target")
    task = preprocessing.get("task")
    y = g.node("Cast", [outputs], to=double)
    width = output_shape[-1]
    if task == "regression":
        value = g.node("Squeeze", [g.node("Slice", [y, g.ints([0]), g.ints([1]), g.ints([1])]),
                                   g.ints([1], "axis")])
        transform = fitted_target.get("transform")
        if transform in ("log", "log1p"):
            value = g.node("Exp", [value])
            if transform == "log1p":
                value = g.node("Sub", [value, g.constant(1.0, "one", dtype=np.float64)])
        elif transform == "standardize":
            value = g.node("Add", [g.node("Mul", [value, g.constant(
                fitted_target["scale"], "target_scale", dtype=np.float64)]),
                g.constant(fitted_target["center"], "target_center", dtype=np.float64)])
        g.add_output(value, f"predicted_{target}", double, (None,))
        return
    classes = preprocessing["classes"]
    labels, label_type = _class_constant(g, classes)
    if width == 1:  # a sigmoid output: the probability of the second class
        p = g.node("Squeeze", [y, g.ints([1], "axis")])
        probabilities = [g.node("Sub", [g.constant(1.0, "one", dtype=np.float64), p]), p]
        threshold = g.constant(decision_threshold(preprocessing), "threshold", dtype=np.float64)
        index = g.node("Cast", [g.node("GreaterOrEqual", [p, threshold])],
                       to=onnx.TensorProto.INT64)
    else:
        columns = g.node("Split", [y, g.ints([1] * width, "split")], outputs=width, axis=1)
        probabilities = [g.node("Squeeze", [c, g.ints([1], "axis")]) for c in columns]
        index = g.node("ArgMax", [y], axis=1, keepdims=0)
    for value, name in zip(probabilities, classes):
        g.add_output(value, f"probability_{name}", double, (None,))
    g.add_output(g.node("Gather", [labels, index], axis=0), f"predicted_{target}", label_type,
                 (None,))


def onnx_inputs(frame, preprocessing):
    """The feeds of an exported run folder's graph for raw table rows: ``{column: array}``
    with numbers as double ``[rows, 1]`` (NaN when missing) and categories as their text
    ``[rows, 1]`` (``""`` when missing), e.g. for ``onnxruntime.InferenceSession.run``.

    Args:
        frame: a DataFrame holding the model's raw columns (others are ignored).
        preprocessing: the run folder's preprocessing record.

    Example:
        >>> session.run(None, onnx_inputs(rows, load_preprocessing("runs/a/model.neurona")))
        ... # doctest: +SKIP
    """
    features, _ = fitted_state(preprocessing)
    C.check_columns(frame, [f["name"] for f in features], "onnx_inputs")
    feeds = {}
    for feature in features:
        column = frame[feature["name"]]
        if feature["kind"] == "numeric":
            values = C.to_float(column, "onnx_inputs")
        elif numeric_categories([str(c) for c in feature["categories"]]):
            if C.is_numeric_kind(column):  # numbers compare as their keys do
                values = C.to_float(column, "onnx_inputs")
            else:  # a value that is no number can only be unknown: infinity equals no category
                values = np.array([np.nan if k is None else _number_or_inf(k)
                                   for k in C.keys(column)], dtype=np.float64)
        else:
            values = np.array(["" if k is None else k for k in C.keys(column)], dtype=object)
        feeds[str(feature["name"])] = values.reshape(-1, 1)
    return feeds


def _number_or_inf(text):
    try:
        value = float(text)
    except ValueError:
        return np.inf
    return value if np.isfinite(value) else np.inf
