"""Callbacks: ``from neurona import callbacks``; Keras names and semantics."""

from .backup_and_restore import BackupAndRestore
from .callback import Callback, CallbackList
from .early_stopping import EarlyStopping
from .history import History
from .model_checkpoint import ModelCheckpoint
from .progbar import ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau
from .simple import CSVLogger, LambdaCallback, LearningRateScheduler, TerminateOnNaN
from .tensorboard import TensorBoard

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "TerminateOnNaN",
           "LambdaCallback", "TensorBoard", "ModelCheckpoint", "BackupAndRestore"]
