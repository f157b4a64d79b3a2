"""The prediction service of a run folder as a Starlette (ASGI) application.

``POST /predict`` takes JSON rows of the raw columns the model was trained on and answers,
per row, what ``neurona predict`` writes (``probability_<class>`` and ``predicted_<target>``,
or ``predicted_<target>`` for regression). ``GET /health`` says the service is up,
``GET /metadata`` describes the model: columns and their types, task, classes, decision
threshold, limits, versions. Bad rows get 422 naming the row, the column and the reason; a
body over ``max_body_bytes`` or with more than ``max_rows`` rows gets 413, before any work.
Predictions run one at a time (a lock), so concurrent requests never share a forward pass.
"""

import json
import os
import threading
import warnings

import numpy as np

from .rows import RowError, columns_of, rows_from_json

#: defaults: a request of at most 10,000 rows and 4 MiB of JSON
MAX_ROWS = 10_000
MAX_BODY_BYTES = 4 * 1024 * 1024


def require_starlette():
    try:
        import starlette  # noqa: F401
    except ImportError:
        raise ImportError("neurona serve needs Starlette and uvicorn; install them with "
                          "pip install 'neurona[serve]'") from None


class Predictor:
    """A run folder's model, encoder and prediction columns, ready for rows."""

    def __init__(self, model_path):
        from ..cli.inference import load_bundle

        self.model, self.preprocessing, self.encoder = load_bundle(model_path)
        if self.encoder is None:
            raise ValueError(f"{model_path}: the model file carries no encoder (it was not "
                             "written by 'neurona train'), so there are no raw columns to "
                             "serve; serve a run folder")
        self.path = os.fspath(model_path)
        self._lock = threading.Lock()

    def predict(self, frame):
        """``neurona predict``'s columns for the rows of ``frame``, as a list of dicts."""
        from ..cli.inference import predict_rows, prediction_frame
        from ..data import MissingValueWarning

        with self._lock, warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingValueWarning)  # reported in the answer
            outputs = predict_rows(self.model, self.preprocessing, self.encoder, frame)
            result = prediction_frame(outputs, self.preprocessing, self.encoder)
        return [{k: _plain(v) for k, v in row.items()} for row in result.to_dict("records")]

    def metadata(self, limits):
        from .. import __version__
        from ..export.tabular import decision_threshold

        task = self.preprocessing["task"]
        return {
            "model": os.path.basename(os.path.normpath(self.path)),
            "neurona_version": __version__,
            "task": task, "target": self.preprocessing["target"],
            "classes": self.preprocessing.get("classes"),
            "threshold": decision_threshold(self.preprocessing) if task == "binary" else None,
            "columns": columns_of(self.encoder),
            "outputs": self._output_names(),
            "limits": limits,
        }

    def _output_names(self):
        target = self.preprocessing["target"]
        if self.preprocessing["task"] == "regression":
            return [f"predicted_{target}"]
        return [f"probability_{c}" for c in self.preprocessing["classes"]] + \
            [f"predicted_{target}"]


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def create_app(model_path, max_rows=MAX_ROWS, max_body_bytes=MAX_BODY_BYTES):
    """The Starlette application serving ``model_path`` (a run folder or its model file).

    Args:
        model_path: a run folder of ``neurona train`` (or its ``model.neurona``).
        max_rows: the most rows one request may hold.
        max_body_bytes: the largest request body accepted.

    Returns:
        An ASGI application (run it with uvicorn, or :func:`neurona.serve.serve`).

    Example:
        >>> app = create_app("runs/caravan")  # doctest: +SKIP
    """
    require_starlette()
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    for name, value in (("max_rows", max_rows), ("max_body_bytes", max_body_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"serve: {name} must be a positive int, got {name}={value!r}")
    predictor = Predictor(model_path)
    limits = {"max_rows": max_rows, "max_body_bytes": max_body_bytes}

    def error(status, message, **fields):
        return JSONResponse({"error": message, **fields}, status_code=status)

    async def read_body(request):
        """The body, or None when it is larger than the limit (read no further than that)."""
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_body_bytes):
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def predict(request):
        body = await read_body(request)
        if body is None:
            return error(413, f"the request body exceeds {max_body_bytes} bytes")
        try:
            payload = json.loads(body, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as err:
            return error(400, f"the body is not valid JSON ({err})")
        try:
            frame, imputed = rows_from_json(payload, predictor.encoder, max_rows)
        except RowError as err:
            return JSONResponse(err.to_json(), status_code=422)
        except OverflowError as err:
            return error(413, str(err))
        predictions = await run_in_threadpool(predictor.predict, frame)
        answer = {"predictions": predictions}
        if imputed:
            answer["warnings"] = [f"column {name!r}: {count} missing value(s) replaced by the "
                                  "training mean" for name, count in imputed.items()]
        return JSONResponse(answer)

    async def health(request):
        return JSONResponse({"status": "ok"})

    async def metadata(request):
        return JSONResponse(predictor.metadata(limits))

    return Starlette(routes=[Route("/predict", predict, methods=["POST"]),
                             Route("/health", health, methods=["GET"]),
                             Route("/metadata", metadata, methods=["GET"])])


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(model_path, host="127.0.0.1", port=8000, max_rows=MAX_ROWS,
          max_body_bytes=MAX_BODY_BYTES, log_level="info"):
    """Serve ``model_path`` over HTTP with uvicorn until interrupted.

    Args:
        model_path: a run folder of ``neurona train``.
        host: the address to bind; 127.0.0.1 (this machine only) by default. The service has
            no authentication: bind another address only behind a proxy that has.
        port: the TCP port.
        max_rows, max_body_bytes: request limits (see :func:`create_app`).
        log_level: uvicorn's log level.

    Example:
        >>> serve("runs/caravan", port=8080)  # doctest: +SKIP
    """
    app = create_app(model_path, max_rows=max_rows, max_body_bytes=max_body_bytes)
    try:
        import uvicorn
    except ImportError:
        raise ImportError("neurona serve needs uvicorn; install it with "
                          "pip install 'neurona[serve]'") from None
    if host not in LOOPBACK:
        warnings.warn(f"serve: binding {host!r} makes the service reachable from the network, "
                      "and it has no authentication", UserWarning, stacklevel=2)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
