"""``Callback``: hooks into training, evaluation and prediction (Keras's protocol).

``logs`` is a flat dict: ``loss``, each metric by name, and ``val_``-prefixed twins at epoch end.
Batch-level logs are computed only when a callback actually overrides a batch hook, so training
does not wait on the device every batch for nothing.
"""

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")


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

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass

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


def _overrides(callback, hook):
    decide = getattr(callback, "overrides", None)
    if decide is not None:  # a callback that knows whether it needs this hook this time
        return decide(hook)
    if hook in vars(callback):  # set on the instance
        return True
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class CallbackList:
    """Dispatches each hook to every callback; skips batch hooks nobody overrides."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self.wants = {hook: [cb for cb in self.callbacks if _overrides(cb, hook)] for hook in _BATCH_HOOKS}

    def wants_batch(self, hook):
        return bool(self.wants[hook])

    def batch(self, hook, batch, logs=None):
        for cb in self.wants[hook]:
            getattr(cb, hook)(batch, logs)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def dispatch(*args):
            for cb in self.callbacks:
                getattr(cb, hook)(*args)

        return dispatch
