"""Routines as data: frozen value objects and a loader that validates a TOML routine file.

Every problem is reported as ``file:line: what is wrong`` (see :mod:`voice_coach.core.tomlfile`),
with a "did you mean" for misspelt keys and step ids.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_coach.core.tomlfile import KeyPath, TomlFile

_ID = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


def spoken(text: str) -> str:
    """Collapse a multi-line script block into one line of speech."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Cue:
    """Something said ``at`` seconds into a step's hold (a tip, an encouragement)."""

    at: float
    say: str


@dataclass(frozen=True)
class Step:
    """One step of a routine: what to say, then how long to hold (0 = wait for "next")."""

    id: str
    title: str
    say: str
    hold: float
    per_side: bool = False
    reminder: str | None = None
    """Short version said on the second and later sides; "repeat" gives the full ``say``."""
    aliases: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Side:
    """A side the per-side steps are done on (a foot, a hand)."""

    id: str
    name: str
    intro: str | None = None


@dataclass(frozen=True)
class SafetyQuestion:
    """A yes/no question asking whether a problem is present; "no" lets the session go on."""

    id: str
    question: str
    if_yes: str
    """``"end"``: end the session kindly; ``"omit"``: leave out the steps in ``omit``."""
    message: str
    omit: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variant:
    """A selectable version of the routine: a subset of the steps and a scale for the holds."""

    id: str
    title: str
    steps: tuple[str, ...] | None = None
    hold_scale: float = 1.0


@dataclass(frozen=True)
class Routine:
    """A whole routine as loaded from its file."""

    id: str
    title: str
    locale: str
    description: str
    welcome: str
    closing: str
    steps: tuple[Step, ...]
    sides: tuple[Side, ...]
    safety: tuple[SafetyQuestion, ...]
    variants: tuple[Variant, ...]
    path: Path

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def variant(self, variant_id: str) -> Variant:
        """The variant with this id (KeyError if there is none)."""
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        raise KeyError(variant_id)


MAX_HOLD = 3600
"""The longest hold, in seconds: an hour (the foot massage's longest is two minutes)."""

_TOP_KEYS = {
    "id",
    "title",
    "locale",
    "description",
    "welcome",
    "closing",
    "sides",
    "safety",
    "steps",
    "variants",
}
_STEP_KEYS = {"id", "title", "say", "hold", "per_side", "reminder", "aliases", "cues"}
_SIDE_KEYS = {"id", "name", "intro"}
_SAFETY_KEYS = {"id", "question", "if_yes", "message", "omit"}
_VARIANT_KEYS = {"title", "steps", "hold_scale"}
_CUE_KEYS = {"at", "say"}


class _Reader:
    """Typed access to a parsed file that raises ``file:line`` errors."""

    def __init__(self, source: TomlFile) -> None:
        self.source = source

    def keys(self, table: Mapping[str, Any], allowed: set[str], where: KeyPath) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = ", ".join(sorted(allowed))
                raise self.source.error(
                    [*where, key], f"unknown key '{key}'{hint}; known keys: {known}"
                )

    def value(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        where: KeyPath,
        default: Any = ...,
    ) -> Any:
        if key not in table:
            if default is ...:
                raise self.source.error(where, f"missing required key '{key}'")
            return default
        value = table[key]
        names = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in names:
            value = None  # bool is an int subclass; never accept it as a number
        if not isinstance(value, kind):
            wanted = " or ".join(_KIND_NAMES.get(name, name.__name__) for name in names)
            raise self.source.error([*where, key], f"'{key}' must be {wanted}")
        return value

    def seconds(self, table: Mapping[str, Any], key: str, where: KeyPath, low: float,
                high: float, default: Any = ...) -> Any:  # fmt: skip
        """A number of seconds (or a scale) from ``low`` to ``high``; never inf or nan."""
        value = self.value(table, key, (int, float), where, default)
        if value is not default and not (math.isfinite(value) and low <= value <= high):
            raise self.source.error([*where, key], f"'{key}' must be from {low:g} to {high:g}")
        return value

    def text(self, table: Mapping[str, Any], key: str, where: KeyPath, default: Any = ...) -> Any:
        value = self.value(table, key, str, where, default)
        if key in table and not value.strip():
            raise self.source.error([*where, key], f"'{key}' must not be empty")
        return spoken(value) if isinstance(value, str) else value

    def ident(self, table: Mapping[str, Any], where: KeyPath) -> str:
        value = self.value(table, "id", str, where)
        if not _ID.match(value):
            raise self.source.error(
                [*where, "id"],
                f"id '{value}' must be lower-case letters, digits and dashes (like 'arch-rubs')",
            )
        return value

    def tables(self, data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        items = self.value(data, key, list, [], default=[])
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.source.error([key, index], f"each entry of '{key}' must be a table")
        return items

    def strings(self, table: Mapping[str, Any], key: str, where: KeyPath) -> tuple[str, ...]:
        items = self.value(table, key, list, where, default=[])
        if not all(isinstance(item, str) and item.strip() for item in items):
            raise self.source.error([*where, key], f"'{key}' must be a list of non-empty strings")
        return tuple(items)


_KIND_NAMES = {
    str: "a string",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "a table",
    bool: "true or false",
}


def load_routine(path: Path) -> Routine:
    """Load and validate a routine file; raise :class:`DataFileError` naming file and line."""
    source = TomlFile.read(path, what="a routine file")
    read = _Reader(source)
    data = source.data
    read.keys(data, _TOP_KEYS, [])
    steps = tuple(
        _step(read, item, ["steps", i]) for i, item in enumerate(read.tables(data, "steps"))
    )
    if not steps:
        raise source.error([], "a routine needs at least one [[steps]] entry")
    _unique(read, [step.id for step in steps], "steps")
    _contiguous_sides(read, steps)
    step_ids = [step.id for step in steps]
    sides = tuple(
        _side(read, item, ["sides", i]) for i, item in enumerate(read.tables(data, "sides"))
    )
    _unique(read, [side.id for side in sides], "sides")
    if any(step.per_side for step in steps) and not sides:
        raise source.error(
            ["steps"], "steps have 'per_side = true' but the routine has no [[sides]]"
        )
    safety = tuple(
        _safety(read, item, ["safety", i], step_ids)
        for i, item in enumerate(read.tables(data, "safety"))
    )
    _unique(read, [question.id for question in safety], "safety")
    variants_table = read.value(data, "variants", dict, [], default={})
    variants = tuple(
        _variant(read, name, table, step_ids) for name, table in variants_table.items()
    ) or (Variant(id="standard", title="Standard"),)
    return Routine(
        id=read.ident(data, []),
        title=read.text(data, "title", []),
        locale=read.text(data, "locale", []),
        description=read.text(data, "description", [], default=""),
        welcome=read.text(data, "welcome", []),
        closing=read.text(data, "closing", []),
        steps=steps,
        sides=sides,
        safety=safety,
        variants=variants,
        path=path,
    )


def _step(read: _Reader, table: dict[str, Any], where: KeyPath) -> Step:
    read.keys(table, _STEP_KEYS, where)
    hold = read.seconds(table, "hold", where, 0, MAX_HOLD)
    cues = []
    for cue in read.value(table, "cues", list, where, default=[]):
        if not isinstance(cue, dict):
            raise read.source.error(
                [*where, "cues"], 'each cue must be a table like {at = 10, say = "…"}'
            )
        read.keys(cue, _CUE_KEYS, where)
        at = read.value(cue, "at", (int, float), [*where, "cues"])
        if not (math.isfinite(at) and 0 < at < hold):
            raise read.source.error(
                [*where, "cues"], f"cue at {at} s is outside the hold (0 to {hold} s)"
            )
        cues.append(Cue(at=float(at), say=read.text(cue, "say", [*where, "cues"])))
    per_side = read.value(table, "per_side", bool, where, default=False)
    return Step(
        id=read.ident(table, where),
        title=read.text(table, "title", where),
        say=read.text(table, "say", where),
        hold=float(hold),
        per_side=per_side,
        reminder=read.text(table, "reminder", where, default=None),
        aliases=read.strings(table, "aliases", where),
        cues=tuple(sorted(cues, key=lambda cue: cue.at)),
    )


def _side(read: _Reader, table: dict[str, Any], where: KeyPath) -> Side:
    read.keys(table, _SIDE_KEYS, where)
    return Side(
        id=read.ident(table, where),
        name=read.text(table, "name", where),
        intro=read.text(table, "intro", where, default=None),
    )


def _safety(
    read: _Reader, table: dict[str, Any], where: KeyPath, step_ids: list[str]
) -> SafetyQuestion:
    read.keys(table, _SAFETY_KEYS, where)
    if_yes = read.value(table, "if_yes", str, where)
    if if_yes not in ("end", "omit"):
        raise read.source.error([*where, "if_yes"], '\'if_yes\' must be "end" or "omit"')
    omit = read.strings(table, "omit", where)
    if if_yes == "omit" and not omit:
        raise read.source.error([*where, "if_yes"], "'if_yes = \"omit\"' needs 'omit = [step ids]'")
    for step_id in omit:
        _known_step(read, step_id, step_ids, [*where, "omit"])
    return SafetyQuestion(
        id=read.ident(table, where),
        question=read.text(table, "question", where),
        if_yes=if_yes,
        message=read.text(table, "message", where),
        omit=omit,
    )


def _variant(read: _Reader, name: str, table: Any, step_ids: list[str]) -> Variant:
    where = ["variants", name]
    if not isinstance(table, dict):
        raise read.source.error(where, f"'variants.{name}' must be a table")
    if not _ID.match(name):
        raise read.source.error(
            where, f"variant name '{name}' must be lower-case letters and dashes"
        )
    read.keys(table, _VARIANT_KEYS, where)
    steps = read.strings(table, "steps", where) if "steps" in table else None
    for step_id in steps or ():
        _known_step(read, step_id, step_ids, [*where, "steps"])
    scale = read.seconds(table, "hold_scale", where, 0.05, 10, default=1.0)
    return Variant(
        id=name, title=read.text(table, "title", where), steps=steps, hold_scale=float(scale)
    )


def _known_step(read: _Reader, step_id: str, step_ids: list[str], where: KeyPath) -> None:
    if step_id not in step_ids:
        close = difflib.get_close_matches(step_id, step_ids, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise read.source.error(where, f"no step with id '{step_id}'{hint}", value=step_id)


def _unique(read: _Reader, ids: list[str], key: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            raise read.source.error([key, index, "id"], f"id '{item}' is used twice in '{key}'")
        seen.add(item)


def _contiguous_sides(read: _Reader, steps: tuple[Step, ...]) -> None:
    """Per-side steps form one block, done on each side in turn."""
    flags = [step.per_side for step in steps]
    if True in flags:
        first = flags.index(True)
        last = len(flags) - 1 - flags[::-1].index(True)
        for index in range(first, last + 1):
            if not flags[index]:
                raise read.source.error(
                    ["steps", index, "id"],
                    "steps with 'per_side = true' must come one after another; "
                    f"'{steps[index].id}' breaks the block",
                )
