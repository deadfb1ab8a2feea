"""The exceptions frontline raises, one class per kind of engine error.

Each message is the one the ``frontline`` command prints after ``error:``.
Catch ``FrontlineError`` for all of them, or the built-in base that fits:
a bad argument is a ``ValueError``, something absent a ``LookupError``.
"""


class FrontlineError(Exception):
    """Any error of the frontline engine."""


class InvalidArgumentError(FrontlineError, ValueError):
    """The request is wrong as sent (a bad date, option or name); the message says what to send instead."""


class NotFoundError(FrontlineError, LookupError):
    """What was asked for is not there (a source, a snapshot on a date, a settlement)."""


class InternalError(FrontlineError, RuntimeError):
    """Not the caller's fault: a file, the store or the engine failed."""


class FileReadError(InternalError, OSError):
    """A file could not be read at all."""


class InputError(InternalError):
    """A file was read but its content is not what it must be (the message names file and feature)."""


class StoreError(InternalError):
    """The snapshot store failed or holds something unexpected."""


__all__ = [
    "FrontlineError",
    "InvalidArgumentError",
    "NotFoundError",
    "InternalError",
    "FileReadError",
    "InputError",
    "StoreError",
]
