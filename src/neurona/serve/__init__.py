"""``neurona serve RUN_DIR``: an HTTP prediction service for a run folder (Starlette on
uvicorn, the optional extra ``serve``). See :mod:`neurona.serve.app`."""

from .app import MAX_BODY_BYTES, MAX_ROWS, Predictor, create_app, serve
from .rows import RowError

__all__ = ["create_app", "serve", "Predictor", "RowError", "MAX_ROWS", "MAX_BODY_BYTES"]
