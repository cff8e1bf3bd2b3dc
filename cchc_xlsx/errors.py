"""The one exception type a user ever sees.

Anything a user can fix (a missing file, a typo in a plan) is raised as ``UserError`` with
one Vietnamese sentence naming the file and, where there is one, the line or the cell. The
CLI prints it and exits with code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Unusable input or usage, explained in one Vietnamese sentence."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
