"""Strict JSON files from results that hold NumPy values and NaN (metrics, summaries): the
folders of ``neurona train`` and of the tuner are written the same way."""

import json
import math

import numpy as np


def json_ready(value):
    """NaN/inf become null (strict JSON); NumPy scalars and arrays become Python values."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path, data):
    """Write ``data`` as strict, indented JSON (atomically: a reader never sees half a file)."""
    from .atomic import atomic_write_text

    atomic_write_text(path, json.dumps(json_ready(data), indent=2, allow_nan=False) + "\n")
