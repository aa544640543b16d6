"""Reading every data file the coach takes in (routines, settings, phrases, saved progress,
preferences, evaluation manifests) through the same limits: a size, a nesting depth, UTF-8 text,
a regular file. What breaks one is a :class:`DataFileError` naming the file (and the line where
there is one), never a traceback, and no file is read further than its limit, whatever it holds.
"""

from __future__ import annotations

import json
import math
import re
import stat
from pathlib import Path
from typing import Any

from voice_coach.core.errors import DataFileError

MAX_DEPTH = 16
"""Nesting deeper than any of the coach's files needs (a routine goes four levels deep)."""
MAX_KEY_PARTS = 16
"""Dotted keys (``a.b.c = 1``) with more parts than this are refused before parsing: TOML
parsers take time and memory that grow with the square of their length."""
_KEY_PART = r"""(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
_DOTTED_KEY = re.compile(rf"^\s*\[*\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*[\]=]")


def read_text(path: Path, limit: int, what: str) -> str:
    """The text of ``path``, a regular UTF-8 file of at most ``limit`` bytes (``what`` names
    the kind of file in the message)."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DataFileError(path, None, f"is a folder, not {what}")
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(path, None, f"is not a regular file, so not {what}")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise DataFileError(path, None, "no such file") from None
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise DataFileError(path, None, f"larger than {_size(limit)}: too large for {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFileError(path, line, "not UTF-8 text (save it as UTF-8)") from None


def check_dotted_keys(path: Path, text: str) -> None:
    """Refuse keys of more than MAX_KEY_PARTS parts before a TOML parser sees them."""
    for number, line in enumerate(text.splitlines(), start=1):
        found = _DOTTED_KEY.match(line)
        if found and found.group(1).count(".") >= MAX_KEY_PARTS:
            raise DataFileError(path, number, f"a key of more than {MAX_KEY_PARTS} parts")


def check_depth(path: Path, data: Any, finite: bool = True) -> None:
    """Refuse values nested deeper than MAX_DEPTH, and (with ``finite``) numbers that are not
    finite (a TOML reader checks those itself, to name the line)."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if finite and isinstance(value, float) and not math.isfinite(value):
            raise DataFileError(path, None, f"holds the number {value}: numbers must be finite")
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise DataFileError(path, None, f"nested more than {MAX_DEPTH} levels deep")
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)


def read_json(path: Path, limit: int, what: str) -> Any:
    """The JSON value in ``path``, within the limits above (NaN and infinities refused)."""
    text = read_text(path, limit, what)

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise DataFileError(path, None, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise DataFileError(path, None, f"nested more than {MAX_DEPTH} levels deep") from None
    check_depth(path, data)
    return data


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit >> 10} KB"
