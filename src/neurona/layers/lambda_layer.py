"""``Lambda``: a Python function as a layer.

It runs in memory like any layer. A model file never carries code, so a model holding a Lambda
saves only when its function is registered by name
(``@keras.saving.register_keras_serializable()`` on the function, or
:func:`register_lambda_function`); the file then names the function and loading looks the name
up in this process's registry.
"""

from ..registry import Registry
from ..validation import shape as check_shape
from .layer import Layer, _accepts, register_layer

__all__ = ["Lambda", "register_lambda_function", "LAMBDA_FUNCTIONS"]

#: functions a saved Lambda may name (registered by the user in each process)
LAMBDA_FUNCTIONS = Registry("Lambda function")


def register_lambda_function(name=None):
    """Decorator registering ``function`` under ``name`` (default its ``__name__``) so that
    models whose Lambda layers call it can be saved and loaded.

    Example:
        >>> @register_lambda_function()
        ... def double(x):
        ...     return x * 2.0
        >>> Lambda(double).get_config()["function"]
        'double'
    """

    def decorator(function):
        if not callable(function) or isinstance(function, type):
            raise TypeError(f"register_lambda_function: expected a function, got {function!r}")
        LAMBDA_FUNCTIONS.add(name or function.__name__, function)
        return function

    return decorator


def _registered_name(function):
    from ..registry import registered_name

    name = registered_name(function)  # a register_keras_serializable function: package>name
    if name is not None and LAMBDA_FUNCTIONS.lookup(name) is function:
        return name
    for name in LAMBDA_FUNCTIONS.names():
        if LAMBDA_FUNCTIONS.lookup(name) is function:
            return name
    return None


@register_layer("Lambda")
class Lambda(Layer):
    """Wrap ``function(inputs, **arguments)`` as a layer (Keras's ``Lambda``).

    Args:
        function: a callable on tensors (use tensor methods and ``neurona.functions`` so that
            gradients flow); or, when rebuilt from a config, the name of a registered function.
        output_shape: the output shape without the batch axis, a callable from the input shape
            to the output shape, or None to find it by running the function once.
        mask: only None (masks are not supported).
        arguments: keyword arguments passed to ``function`` on every call.
        **base: ``name``, ``dtype``, ``input_shape``, ...

    A function taking ``training`` receives the training flag.

    Example:
        >>> Lambda(lambda x: x * 2.0)(np.ones((1, 2))).numpy().tolist()
        [[2.0, 2.0]]
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **base):
        super().__init__(**base)
        if isinstance(function, str):
            resolved = LAMBDA_FUNCTIONS.lookup(function)
            if resolved is None:
                raise ValueError(f"Lambda: no registered function named {function!r}; register "
                                 "it in this process before loading "
                                 "(@keras.saving.register_keras_serializable() on the function)."
                                 f" Registered: {LAMBDA_FUNCTIONS.names()}")
            function = resolved
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        if mask is not None:
            raise ValueError("Lambda: mask is not supported (neurona layers carry no masks); "
                             "use mask=None")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Lambda: arguments must be a dict of keyword arguments, got "
                            f"{arguments!r}")
        if output_shape is not None and not callable(output_shape):
            output_shape = check_shape("Lambda", "output_shape", output_shape, allow_unknown=True)
        self.function, self.output_shape_spec = function, output_shape
        self.arguments = dict(arguments or {})
        self._function_takes_training = _accepts(function, "training")

    def call(self, inputs, training=False):
        kwargs = dict(self.arguments)
        if self._function_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self.output_shape_spec is None:
            return super().compute_output_shape(input_shape)
        if callable(self.output_shape_spec):
            return tuple(self.output_shape_spec(input_shape))
        return (input_shape[0],) + self.output_shape_spec

    def check_saveable(self):
        """Raise a ValueError saying how to make this layer saveable, if it is not."""
        if _registered_name(self.function) is None:
            raise ValueError(
                f"Cannot save Lambda layer {self.name!r}: its function {self.function!r} is "
                "Python code, and a model file never carries code. Register the function by "
                "name (decorate it with @keras.saving.register_keras_serializable()) and "
                "register it again before loading; or write the computation as a registered "
                "Layer subclass, or save only the weights with model.save_weights()")
        if callable(self.output_shape_spec):
            raise ValueError(f"Cannot save Lambda layer {self.name!r}: output_shape is a "
                             "function; give the output shape as a tuple")

    def get_config(self):
        name = _registered_name(self.function)
        shape = self.output_shape_spec
        return {**super().get_config(), "function": name if name is not None else self.function,
                "output_shape": list(shape) if isinstance(shape, tuple) else shape,
                "mask": None, "arguments": dict(self.arguments)}
