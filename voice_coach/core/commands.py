"""Intents, and the locale phrase book that turns an utterance's text into a :class:`Command`.

Text from the keyboard and words from a recognizer go through the same :meth:`PhraseBook.parse`,
so typing a phrase in text mode tests exactly what saying it will do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from voice_coach.core.errors import CoachError
from voice_coach.core.tomlfile import TomlFile


class Intent(StrEnum):
    """What the person wants; the session decides what it means in the current state."""

    NEXT = "next"
    BACK = "back"
    REPEAT = "repeat"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    QUIT = "quit"
    RESTART = "restart"
    GOTO = "goto"
    SKIP = "skip"
    STATUS = "status"
    HELP = "help"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    QUIETER = "quieter"
    MORE_TIME = "more_time"
    SWITCH_FOOT = "switch_foot"
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Command:
    """A parsed utterance. ``target`` is a step number or step id for GOTO, a side id for
    SWITCH_FOOT (None means "the other one")."""

    intent: Intent
    target: int | str | None = None

    def label(self) -> str:
        """``goto:3``, ``goto:arch-rubs``, ``switch_foot:left`` or the plain intent name."""
        return self.intent.value if self.target is None else f"{self.intent.value}:{self.target}"


_PUNCTUATION = re.compile(r"[^\w\s']+")


def normalise(text: str) -> str:
    """Lower case, punctuation dropped (apostrophes kept), single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower().replace("\u2019", "'")).split())


def locale_dir(locale: str) -> Path:
    """The folder of a shipped locale's data files."""
    return Path(str(resources.files("voice_coach") / "locales" / locale))


def available_locales() -> list[str]:
    """Locales shipped with the package."""
    root = Path(str(resources.files("voice_coach") / "locales"))
    return sorted(p.name for p in root.iterdir() if (p / "commands.toml").is_file())


class PhraseBook:
    """A locale's command phrases, extended with the step names and sides of one routine."""

    def __init__(
        self,
        phrases: dict[str, Intent],
        fillers: frozenset[str],
        goto_patterns: tuple[str, ...],
        numbers: dict[str, int],
        side_patterns: tuple[str, ...],
        not_commands: tuple[str, ...] = (),
    ) -> None:
        self._phrases = phrases
        self._fillers = fillers
        self._goto_patterns = goto_patterns
        self._numbers = numbers
        self._side_patterns = side_patterns
        self._not_commands = not_commands
        self._targets: dict[str, Command] = {}

    @classmethod
    def load(cls, locale: str, path: Path | None = None) -> PhraseBook:
        """Read ``locales/<locale>/commands.toml`` (or ``path``), validating as it goes."""
        path = path or locale_dir(locale) / "commands.toml"
        if not path.is_file():
            known = ", ".join(available_locales())
            raise CoachError(f"no command phrases for locale '{locale}'; available: {known}")
        source = TomlFile.read(path)
        data = source.data
        phrases: dict[str, Intent] = {}
        intents = _table(source, data, "intents")
        for name, items in intents.items():
            try:
                intent = Intent(name)
            except ValueError:
                known = ", ".join(i.value for i in Intent)
                raise source.error(
                    ["intents", name], f"unknown intent '{name}'; known: {known}"
                ) from None
            for phrase in _strings(source, items, ["intents", name]):
                key = normalise(phrase)
                if key in phrases and phrases[key] is not intent:
                    raise source.error(
                        ["intents", name],
                        f"phrase '{phrase}' is already used for '{phrases[key].value}'",
                    )
                phrases[key] = intent
        missing = [i.value for i in Intent if i is not Intent.GOTO and i not in phrases.values()]
        if missing:
            raise source.error(["intents"], f"no phrases for intents: {', '.join(missing)}")
        numbers = _table(source, data, "numbers")
        for word, value in numbers.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise source.error(["numbers", word], f"'{word}' must be a whole number")
        not_commands = _strings(source, data.get("not_commands", []), ["not_commands"])
        book = cls(
            phrases=phrases,
            fillers=frozenset(
                normalise(f) for f in _strings(source, data.get("fillers", []), ["fillers"])
            ),
            goto_patterns=_patterns(source, data, "goto", "{n}"),
            numbers={normalise(word): value for word, value in numbers.items()},
            side_patterns=_patterns(source, data, "sides", "{side}"),
            not_commands=tuple(normalise(w) for w in not_commands),
        )
        for word in book._not_commands:
            command = book.parse(word)
            if command is not None:
                raise source.error(
                    ["not_commands"], f"'{word}' is a phrase for '{command.label()}'"
                )
        return book

    def with_targets(
        self, steps: Iterable[tuple[str, Iterable[str]]], sides: Iterable[tuple[str, str]]
    ) -> PhraseBook:
        """A copy that also knows step names (``(step_id, names)``) and sides (``(id, name)``)."""
        book = PhraseBook(self._phrases, self._fillers, self._goto_patterns, self._numbers,
                          self._side_patterns, self._not_commands)  # fmt: skip
        for step_id, names in steps:
            for name in names:
                for pattern in self._goto_patterns:
                    if "{step}" in pattern:
                        book._targets[normalise(pattern.replace("{step}", name))] = Command(
                            Intent.GOTO, step_id
                        )
        for side_id, name in sides:
            for pattern in self._side_patterns:
                book._targets[normalise(pattern.replace("{side}", name))] = Command(
                    Intent.SWITCH_FOOT, side_id
                )
        return book

    def parse(self, text: str) -> Command | None:
        """The command an utterance expresses, or None when it is not one."""
        words = normalise(text).split()
        while words:
            found = self._match(" ".join(words))
            if found:
                return found
            if words[0] in self._fillers:
                words = words[1:]
            elif words[-1] in self._fillers:
                words = words[:-1]
            else:
                return None
        return None

    def _match(self, text: str) -> Command | None:
        if text in self._targets:
            return self._targets[text]
        if text in self._phrases:
            return Command(self._phrases[text])
        for pattern in self._goto_patterns:
            if "{n}" not in pattern:
                continue
            head, _, tail = normalise(pattern.replace("{n}", " NUMBER ")).partition("number")
            head, tail = head.strip(), tail.strip()
            if text.startswith(head) and text.endswith(tail):
                middle = text[len(head) : len(text) - len(tail)].strip()
                number = self._number(middle)
                if number is not None:
                    return Command(Intent.GOTO, number)
        return None

    def _number(self, word: str) -> int | None:
        if word.isdigit():
            return int(word)
        return self._numbers.get(word)

    def grammar(self, intents: Iterable[Intent]) -> tuple[str, ...]:
        """Every phrase, spelt as a recogniser should hear it, that says one of ``intents``,
        and the locale's ``not_commands``.

        Numbers are spelt out (``go to step three``), as people say them. The words that are
        no command (counting) are listened for too: a grammar without them can only hear
        "three" as the phrase nearest to it ("repeat"); with them it hears "three", which
        :meth:`parse` turns into nothing.
        """
        wanted = set(intents)
        if not wanted:
            return ()
        phrases = [p for p, intent in self._phrases.items() if intent in wanted]
        phrases += [p for p, command in self._targets.items() if command.intent in wanted]
        if Intent.GOTO in wanted:
            words = [w for w in self._numbers if not w.isdigit()]
            for pattern in self._goto_patterns:
                if "{n}" in pattern:
                    phrases += [normalise(pattern.replace("{n}", word)) for word in words]
        return tuple(sorted({*phrases, *self._not_commands}))


def _table(source: TomlFile, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise source.error([key], f"missing table [{key}]")
    return value


def _strings(source: TomlFile, items: Any, where: list[str]) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise source.error(where, "must be a list of non-empty strings")
    return items


def _patterns(source: TomlFile, data: dict[str, Any], key: str, slot: str) -> tuple[str, ...]:
    patterns = _strings(source, _table(source, data, key).get("patterns"), [key, "patterns"])
    for pattern in patterns:
        if slot not in pattern and "{step}" not in pattern:
            raise source.error([key, "patterns"], f"pattern '{pattern}' has no {slot} placeholder")
    return tuple(patterns)
