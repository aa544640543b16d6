"""Where the coach keeps the user's files (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    # The spec says relative paths are invalid and must be ignored.
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/voice-coach`` (the user's routines live in ``routines/`` below it)."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "voice-coach"


def state_dir() -> Path:
    """``$XDG_STATE_HOME/voice-coach``: saved progress and voice preferences."""
    return _xdg("XDG_STATE_HOME", ".local/state") / "voice-coach"


def user_routines_dir() -> Path:
    return config_dir() / "routines"


def data_dir() -> Path:
    """``$XDG_DATA_HOME/voice-coach``: downloaded speech models live in ``models/`` below it."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "voice-coach"
