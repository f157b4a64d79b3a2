"""Callbacks: ``from neurona import callbacks``; Keras names and semantics."""

from .callback import Callback, CallbackList
from .history import History
from .progbar import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
