"""Read TOML data files and point at the line a problem is on.

``tomllib`` reports the line of a syntax error but keeps no positions for values, so
:class:`TomlFile` finds the line of a key by scanning the source: table headers
(``[name]`` / ``[[name]]``, counting array-of-table occurrences) and then the key inside that
table. This is enough to name the line of any key a routine or locale file can hold.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from voice_coach.core.datafile import MAX_DEPTH, check_depth, check_dotted_keys, read_text
from voice_coach.core.errors import DataFileError

MAX_TOML = 256 << 10
"""Routines, settings and phrase files are a few KB; 256 KB leaves room for long ones."""

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_\-]+))\s*=")
_SYNTAX_LINE = re.compile(r"\(at line (\d+), column \d+\)")

KeyPath = Sequence[str | int]


class TomlFile:
    """A parsed TOML file that can turn a key path into a ``file:line`` error."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        check_dotted_keys(path, text)
        try:
            self.data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _SYNTAX_LINE.search(str(exc))
            message = _SYNTAX_LINE.sub("", str(exc)).strip()
            raise DataFileError(
                path, int(found.group(1)) if found else None, f"not valid TOML: {message}"
            ) from None
        except RecursionError:
            raise DataFileError(path, None, f"nested more than {MAX_DEPTH} levels deep") from None
        check_depth(path, self.data, finite=False)

    @classmethod
    def read(cls, path: Path, limit: int = MAX_TOML, what: str = "a data file") -> TomlFile:
        """Read and parse ``path`` (at most ``limit`` bytes); unreadable, oversized or
        malformed files become a :class:`DataFileError`."""
        return cls(path, read_text(path, limit, what))

    def error(self, where: KeyPath, problem: str, value: str | None = None) -> DataFileError:
        """An error for the value at ``where`` (e.g. ``("steps", 3, "hold")``).

        With ``value``, point at the line holding that string, for a list written over lines.
        """
        line = self.line_of(where)
        if value is not None and line is not None:
            quoted = (f'"{value}"', f"'{value}'")
            for number in range(line, len(self.lines) + 1):
                text = self.lines[number - 1]
                if any(q in text for q in quoted):
                    line = number
                    break
                if number > line and (_HEADER.match(text) or _KEY.match(text)):
                    break
        return DataFileError(self.path, line, problem)

    def line_of(self, where: KeyPath) -> int | None:
        """1-based line of the key at ``where``; the nearest enclosing line when not found."""
        table: list[str] = []
        counts: dict[str, int] = {}
        best: int | None = None
        target_table, target_key = self._split(where)
        for number, raw in enumerate(self.lines, start=1):
            header = _HEADER.match(raw)
            if header and not _KEY.match(raw):
                name = header.group(2).replace('"', "").replace("'", "")
                parts: list[str] = [part.strip() for part in name.split(".")]
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    parts.append(str(index))
                table = parts
                if table == target_table:
                    best = number
                continue
            key = _KEY.match(raw)
            if key and table == target_table:
                name = next(group for group in key.groups() if group is not None)
                if target_key is None:
                    continue
                if name == target_key:
                    return number
        return best if best is not None else (1 if not target_table else None)

    def _split(self, where: KeyPath) -> tuple[list[str], str | None]:
        """Split a key path into the table it lives in and the key within that table."""
        parts = [str(part) for part in where]
        data: Any = self.data
        table: list[str] = []
        for part in parts:
            if isinstance(data, list):
                index = int(part)
                if isinstance(data[index], dict):
                    table.append(part)
                    data = data[index]
                    continue
                return table, None
            if isinstance(data, dict) and isinstance(data.get(part), (dict, list)):
                child = data[part]
                is_table_array = isinstance(child, list) and child and isinstance(child[0], dict)
                if isinstance(child, dict) or (
                    is_table_array and self._is_table_header([*table, part])
                ):
                    table.append(part)
                    data = child
                    continue
            return table, part
        return table, None

    def _is_table_header(self, table: list[str]) -> bool:
        """Whether ``[[a.b]]`` headers exist for this array (rather than an inline array)."""
        wanted = ".".join(table)
        return any(
            (m := _HEADER.match(raw)) and m.group(1) == "[[" and m.group(2).strip() == wanted
            for raw in self.lines
        )
