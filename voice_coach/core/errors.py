"""One error hierarchy; every message says what is wrong and what to do about it."""

from __future__ import annotations

from pathlib import Path


class CoachError(Exception):
    """An error the user can act on. The CLI prints the message and exits with ``exit_code``."""

    exit_code = 1


class DataFileError(CoachError):
    """A routine or locale file is malformed; the message starts with ``file:line:``."""

    exit_code = 2

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {problem}")


class UnknownRoutineError(CoachError):
    """No routine with the requested name exists for the locale."""

    exit_code = 2
