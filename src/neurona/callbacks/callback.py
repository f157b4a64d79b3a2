"""``Callback``: hooks into training, evaluation and prediction (Keras's protocol).

``logs`` is a flat dict: ``loss``, each metric by name, and ``val_``-prefixed twins at epoch end.
Batch-level logs are computed only when a callback actually reads them, and batch hooks are
dispatched only to the callbacks that define them, so training does not wait on the device
every batch for nothing.

Any object with hook methods works as a callback, a :class:`Callback` subclass or not (it gets
``model`` and ``params`` attributes). ``on_batch_begin``/``on_batch_end`` are Keras's legacy
names of the training batch hooks: a callback defining them is called on every training batch.
"""

TRAIN_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end")
_BATCH_HOOKS = TRAIN_BATCH_HOOKS + ("on_test_batch_begin", "on_test_batch_end",
                                    "on_predict_batch_begin", "on_predict_batch_end")
#: the legacy name of each training batch hook
_LEGACY = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin",
         "on_test_end", "on_predict_begin", "on_predict_end") + _BATCH_HOOKS + \
    tuple(_LEGACY.values())


class Callback:
    """Base class: override the hooks you need. ``self.model`` is set by ``fit``.

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(epoch, round(logs["loss"], 3))
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        """Legacy name of :meth:`on_train_batch_begin` (which calls it)."""

    def on_batch_end(self, batch, logs=None):
        """Legacy name of :meth:`on_train_batch_end` (which calls it)."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def validate_logs(self, log_names):
        """Called before the first epoch with the names ``fit`` will log; raise on a bad setting
        (e.g. a ``monitor`` that names no logged value) so nothing runs in vain."""


def _defines(callback, hook):
    """Whether ``callback`` does something in ``hook`` (a Callback subclass that overrides it,
    or any object that has it)."""
    if hook in vars(callback):  # set on the instance
        return True
    if not isinstance(callback, Callback):
        return callable(getattr(callback, hook, None))
    return getattr(type(callback), hook) is not getattr(Callback, hook)


def _overrides(callback, hook):
    decide = getattr(callback, "overrides", None)
    if decide is not None:  # a callback that knows whether it needs this hook this time
        return decide(hook)
    return _defines(callback, hook) or (hook in _LEGACY and _defines(callback, _LEGACY[hook]))


def check_callbacks(callbacks, where="fit"):
    """``callbacks`` as a list: a list/tuple of callbacks, or one callback (Keras 3 takes one
    as well); anything without a single hook method is an error naming it."""
    if callbacks is None:
        return []
    items = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
    for i, cb in enumerate(items):
        if isinstance(cb, (str, bytes, type)) or not any(callable(getattr(cb, h, None))
                                                         for h in HOOKS):
            raise TypeError(f"{where}: callbacks[{i}] is {cb!r}, which is not a callback: pass "
                            "keras.callbacks objects (or objects with hook methods such as "
                            "on_epoch_end), e.g. callbacks=[keras.callbacks.EarlyStopping()]")
    return items


class CallbackList:
    """Dispatches each hook to every callback that has it; batch hooks only to the callbacks
    that define them (Keras's legacy batch names count for the training ones)."""

    def __init__(self, callbacks, model, params):
        # a callback marked ``runs_last`` (BackupAndRestore) sees every hook after the others:
        # it restores their state after their on_train_begin reset it, and backs up what their
        # on_epoch_end just changed
        self.callbacks = sorted(callbacks, key=lambda cb: bool(getattr(cb, "runs_last", False)))
        for cb in self.callbacks:
            if callable(getattr(cb, "set_model", None)):
                cb.set_model(model)
            else:
                cb.model = model
            if callable(getattr(cb, "set_params", None)):
                cb.set_params(params)
            else:
                cb.params = params
        for cb in self.callbacks:
            if callable(getattr(cb, "set_callbacks", None)):  # BackupAndRestore saves theirs
                cb.set_callbacks(self.callbacks)
        self.wants = {hook: [cb for cb in self.callbacks if _overrides(cb, hook)]
                      for hook in _BATCH_HOOKS}

    def validate_logs(self, log_names):
        for cb in self.callbacks:
            validate = getattr(cb, "validate_logs", None)
            if callable(validate):
                validate(log_names)

    def wants_batch(self, hook):
        return bool(self.wants[hook])

    def batch(self, hook, batch, logs=None):
        for cb in self.wants[hook]:
            method = getattr(cb, hook, None)
            if method is None and hook in _LEGACY:  # a plain object with the legacy name only
                method = getattr(cb, _LEGACY[hook])
            method(batch, logs)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def dispatch(*args):
            for cb in self.callbacks:
                method = getattr(cb, hook, None)
                if callable(method):
                    method(*args)

        return dispatch
