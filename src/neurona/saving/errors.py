"""The one exception a defective model file raises."""


class ModelFileError(ValueError):
    """A model or weights file that cannot be loaded safely: not a zip, truncated, corrupted
    (checksum mismatch), unexpected or missing entries, unsafe entry names, absurd sizes, JSON too
    large or too deep, unknown classes, or weights that do not match the architecture.

    The message names the file, what is wrong and, where there is one, the fix. It subclasses
    ``ValueError`` so code catching Keras's ``ValueError`` for invalid files keeps working.

    Example:
        >>> try:
        ...     raise ModelFileError("model.keras: not a zip archive")
        ... except ValueError as err:
        ...     print(err)
        model.keras: not a zip archive
    """
