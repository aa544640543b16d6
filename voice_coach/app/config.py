"""The user's settings file, ``$XDG_CONFIG_HOME/voice-coach/config.toml``.

Every key is optional; command-line options win over the file. A bad value is reported with the
file, the line and the key, and what would be accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from voice_coach.core.paths import config_dir
from voice_coach.core.session import VOICE_LEVELS
from voice_coach.core.tomlfile import TomlFile
from voice_coach.listening.engines import ENGINES
from voice_coach.speaking.speakers import VOICES


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of: {', '.join(choices)}"

    return check


def _level(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value in VOICE_LEVELS
    return None if ok else f"must be a whole number from {VOICE_LEVELS[0]} to {VOICE_LEVELS[-1]}"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _input(value: Any) -> str | None:
    if isinstance(value, str) and (value in ("mic", "text") or value.lower().endswith(".wav")):
        return None
    return "must be mic, text, or a .wav file"


KEYS: dict[str, tuple[Callable[[Any], str | None], str]] = {
    "routine": (_text, "routine id or file"),
    "variant": (_text, "standard or quick"),
    "locale": (_text, "language, e.g. en or ko"),
    "input": (_input, "mic, text, or a WAV file"),
    "mic": (_text, "input device: part of its name or its index"),
    "output": (_text, "speaker, text, or a WAV file"),
    "speaker": (_text, "output device: part of its name or its index"),
    "voice": (_one_of(*VOICES), "default or natural"),
    "engine": (_one_of(*ENGINES), "auto, vosk or pocketsphinx"),
    "model": (_text, "a vosk model folder"),
    "rate": (_level, "speaking rate level, 0 is normal"),
    "volume": (_level, "volume level, 0 is normal"),
    "chimes": (_flag, "chime at the start and end of holds"),
    "auto_advance": (_flag, "move on by itself when a hold ends"),
    "stay": (_flag, "when the routine ends, wait for 'start' instead of exiting"),
}


MAX_CONFIG = 64 << 10
"""A settings file is a few lines."""


def config_path() -> Path:
    return config_dir() / "config.toml"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The settings in the file (empty when there is no file)."""
    path = path or config_path()
    if not path.exists():
        return {}
    source = TomlFile.read(path, MAX_CONFIG, "a settings file")
    for key, value in source.data.items():
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise source.error([key], f"unknown setting '{key}'; known settings: {known}")
        check, what = KEYS[key]
        problem = check(value)
        if problem is not None:
            raise source.error([key], f"'{key}' ({what}) {problem}")
    if "model" in source.data:
        source.data["model"] = Path(source.data["model"]).expanduser()
    return dict(source.data)


def describe(settings: dict[str, Any], path: Path) -> str:
    """For ``voice-coach doctor``: the file and what it sets."""
    if not path.exists():
        return f"no settings file ({path}); defaults are used"
    if not settings:
        return f"{path} sets nothing; defaults are used"
    return f"{path}: " + ", ".join(f"{key} = {value!r}" for key, value in settings.items())
