"""Errors that reach the user as one line.

Every failure the user can cause (bad model, unsupported op, bad option, model
too big for the board) raises a subclass of :class:`McuCodegenError`. The CLI
prints ``error: <message>`` and exits non-zero; anything else is a bug.
"""


class McuCodegenError(Exception):
    """Base class: a problem with the user's input, reported as one line."""

    exit_code = 2


class ModelError(McuCodegenError):
    """The file is not a usable .tflite model (empty, truncated, corrupt, float...)."""


class UnsupportedError(McuCodegenError):
    """The model is valid but uses something mcu-codegen does not support."""

    def __init__(self, problems: list[str], what: str = "operator") -> None:
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} unsupported {what}{'s' if n != 1 else ''}: "
        super().__init__(head + "; ".join(self.problems))


class OptionError(McuCodegenError):
    """A command-line or API option is invalid."""


class BoardError(McuCodegenError):
    """The model does not fit the board, or the board is unknown."""


class OracleError(McuCodegenError):
    """The reference interpreter is missing or refused the model."""


class VerifyError(McuCodegenError):
    """The generated code could not be compiled or run for verification."""

    exit_code = 3
