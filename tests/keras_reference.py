"""Keras 3 on JAX as a test reference, run in a separate process.

JAX must not be loaded into the test process: once its backend starts it warns on every
``os.fork()`` (and forking a process that runs JAX's threads can deadlock), which breaks the
tests that fork workers. So the reference lives in a child process started with
``KERAS_BACKEND=jax``; :func:`start` returns a proxy on which ``keras.ops.sin(x)`` or
``keras.backend.result_type("int8", float)`` runs there and returns NumPy arrays (tuples and
lists of them for several results). Arguments travel with cloudpickle, so lambdas work too.

Run as a module, this file is the child: ``python -m tests.keras_reference``.
"""

import os
import pickle
import struct
import subprocess
import sys
import types


def _send(stream, obj, dumps):
    data = dumps(obj)
    stream.write(struct.pack("<Q", len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("the Keras reference process ended")
    (size,) = struct.unpack("<Q", header)
    return pickle.loads(stream.read(size))


# -- the child -------------------------------------------------------------------------------------
def _to_numpy(value, np):
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(v, np) for v in value) if type(value) in (list, tuple) \
            else tuple(_to_numpy(v, np) for v in value)
    if isinstance(value, dict):
        return {k: _to_numpy(v, np) for k, v in value.items()}
    if hasattr(value, "__array__") and not isinstance(value, np.ndarray):
        return np.asarray(value)
    return value


def _describe(fn):
    import inspect

    params = []
    for p in inspect.signature(fn).parameters.values():
        default = p.default if p.default is not inspect.Parameter.empty else "<required>"
        if not isinstance(default, (type(None), bool, int, float, str, tuple)):
            default = repr(default)
        params.append((p.name, int(p.kind), default))
    return params


def _serve():
    import warnings

    warnings.simplefilter("ignore")
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the reply stream
    try:
        import keras
        import numpy as np
        import cloudpickle
    except Exception as error:  # reported to the client, which skips
        _send(stdout, ("missing", repr(error)), pickle.dumps)
        return
    if keras.backend.backend() != "jax":
        _send(stdout, ("missing", f"Keras runs on {keras.backend.backend()}"), pickle.dumps)
        return
    _send(stdout, ("ready", keras.__version__), pickle.dumps)
    while True:
        try:
            kind, path, args, kwargs = pickle.loads(_receive_raw(stdin))
        except EOFError:
            return
        try:
            target = keras
            for name in path:
                target = getattr(target, name)
            if kind == "call":
                result = ("ok", _to_numpy(target(*args, **kwargs), np))
            elif kind == "signature":
                result = ("ok", _describe(target))
            else:  # "dir"
                result = ("ok", [n for n in dir(target) if not n.startswith("_")])
        except Exception as error:
            result = ("error", f"{type(error).__name__}: {error}")
        _send(stdout, result, cloudpickle.dumps)


def _receive_raw(stream):
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    (size,) = struct.unpack("<Q", header)
    return stream.read(size)


# -- the client ------------------------------------------------------------------------------------
class KerasError(Exception):
    """An exception Keras raised in the reference process."""


class _Path:
    def __init__(self, client, path):
        self._client, self._path = client, path

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Path(self._client, self._path + (name,))

    def __call__(self, *args, **kwargs):
        return self._client.request("call", self._path, args, kwargs)


class Reference:
    """The proxy :func:`start` returns: attribute paths from ``keras`` run in the child."""

    def __init__(self):
        import cloudpickle

        self._cloudpickle = cloudpickle
        env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join([root] + sys.path)
        self._process = subprocess.Popen([sys.executable, "-m", "tests.keras_reference"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         cwd=root, env=env)
        status, detail = _receive(self._process.stdout)
        self.available = status == "ready"
        self.reason = detail

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return _Path(self, (name,))

    def request(self, kind, path, args=(), kwargs=None):
        for value in list(args) + list((kwargs or {}).values()):
            module = getattr(value, "__module__", None)
            if isinstance(value, types.FunctionType) and module in sys.modules:
                # test modules are not importable in the child: send their functions by value
                self._cloudpickle.register_pickle_by_value(sys.modules[module])
        _send(self._process.stdin, (kind, path, args, kwargs or {}), self._cloudpickle.dumps)
        status, result = _receive(self._process.stdout)
        if status == "error":
            raise KerasError(f"keras.{'.'.join(path)}: {result}")
        return result

    def signature(self, path):
        """``[(name, kind, default), ...]`` of ``keras.<path>`` (a dotted string)."""
        return self.request("signature", tuple(path.split(".")))

    def names(self, path):
        """The public names of ``keras.<path>``."""
        return self.request("dir", tuple(path.split(".")))

    def close(self):
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()


def start():
    """A :class:`Reference`, or None when Keras 3 on JAX cannot be imported in the child."""
    try:
        import cloudpickle  # noqa: F401
    except ImportError:
        return None
    reference = Reference()
    if not reference.available:
        reference.close()
        return None
    return reference


if __name__ == "__main__":
    _serve()
