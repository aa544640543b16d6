"""What the coach says outside a routine's script, read from ``locales/<lang>/prompts.toml``."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from voice_coach.core.commands import locale_dir
from voice_coach.core.errors import CoachError
from voice_coach.core.tomlfile import TomlFile

# Every prompt the session uses, with the placeholders it fills in.
PROMPT_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "step_heading": "number total title",
        "prep_heading": "title",
        "hold_halfway": "",
        "hold_done": "",
        "wait_for_next": "",
        "extra_time": "",
        "answer_yes_no": "",
        "ask_again": "",
        "waiting_for_answer": "",
        "not_understood": "",
        "safety_ok": "",
        "safety_no_skip": "",
        "paused": "",
        "stopped": "",
        "already_paused": "",
        "not_paused": "",
        "resumed": "",
        "first_step": "",
        "confirm_quit": "",
        "confirm_restart": "",
        "quit_cancelled": "",
        "quit_confirmed": "",
        "quit_before_start": "",
        "quit_cancelled_paused": "",
        "no_input": "",
        "skipped_step": "",
        "no_such_step": "number total",
        "no_side_yet": "",
        "no_sides": "",
        "side_now": "side",
        "slower": "",
        "faster": "",
        "louder": "",
        "quieter": "",
        "slowest": "",
        "fastest": "",
        "loudest": "",
        "quietest": "",
        "resume_prompt": "place",
        "resume_place_side": "title side",
        "resume_place": "title",
        "status_step": "number total title side",
        "status_step_no_side": "number total title",
        "status_prep": "title",
        "status_hold": "left",
        "status_total": "minutes",
        "status_paused": "",
        "seconds": "n",
        "one_second": "",
        "minutes": "n",
        "one_minute": "",
        "help_question": "",
        "help_step": "",
        "help_step_no_sides": "",
        "help_paused": "",
        "help_confirm": "",
        "help_resume": "",
        "microphone_lost": "",
        "device_back": "",
        "device_back_paused": "",
        "idle": "",
        "help_idle": "",
        "goodbye": "",
    }.items()
}


@dataclass(frozen=True)
class Prompts:
    """The locale's prompt texts; :meth:`say` fills in placeholders."""

    texts: dict[str, str]
    language: str
    espeak_voice: str
    """The espeak-ng voice that speaks this language (``espeak-ng --voices`` lists them)."""

    @classmethod
    def load(cls, locale: str, path: Path | None = None) -> Prompts:
        """Read and check a prompts file: every prompt present, only known placeholders."""
        path = path or locale_dir(locale) / "prompts.toml"
        if not path.is_file():
            raise CoachError(f"no prompts for locale '{locale}' (expected {path})")
        source = TomlFile.read(path)
        texts: dict[str, str] = {}
        for name, value in source.data.items():
            if name in ("locale", "language", "espeak_voice"):
                continue
            if name not in PROMPT_FIELDS:
                raise source.error([name], f"unknown prompt '{name}'")
            if not isinstance(value, str) or not value.strip():
                raise source.error([name], f"prompt '{name}' must be a non-empty string")
            used = {field for _, field, _, _ in string.Formatter().parse(value) if field}
            if not used <= PROMPT_FIELDS[name]:
                extra = ", ".join(sorted(used - PROMPT_FIELDS[name]))
                allowed = ", ".join(sorted(PROMPT_FIELDS[name])) or "none"
                raise source.error([name], f"unknown placeholder {extra}; allowed: {allowed}")
            texts[name] = value
        missing = sorted(set(PROMPT_FIELDS) - set(texts))
        if missing:
            raise source.error([], f"missing prompts: {', '.join(missing)}")
        return cls(
            texts=texts,
            language=str(source.data.get("language", locale)),
            espeak_voice=str(source.data.get("espeak_voice", locale)),
        )

    def say(self, name: str, **fields: object) -> str:
        """The prompt ``name`` with its placeholders filled in."""
        return self.texts[name].format(**fields)

    def duration(self, seconds: float) -> str:
        """A spoken duration: "40 seconds", "3 minutes"."""
        seconds = max(0, round(seconds))
        if seconds < 90:
            return self.say("one_second") if seconds == 1 else self.say("seconds", n=seconds)
        minutes = round(seconds / 60)
        return self.say("one_minute") if minutes == 1 else self.say("minutes", n=minutes)
