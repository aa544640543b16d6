"""Settings for a run, made from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunSettings:
    """How one session runs."""

    routine: str = "foot-massage"
    """Routine id (or a path to a routine file)."""
    variant: str = "standard"
    """Which variant of the routine: ``standard`` or ``quick`` for the foot massage."""
    locale: str = "en"
    """Language of the routine, the command phrases and the prompts."""
    input: str = "text"
    """Where the person's words come from: ``text`` (standard input, one utterance a line)."""
    output: str = "text"
    """Where the coach's words go: ``text`` (printed, one line per utterance)."""
    clock: str = "real"
    """``real`` time, or ``virtual`` time that jumps to the next timer or input."""
    transcript: Path | None = None
    """Write every event as JSON Lines to this file."""
    auto_advance: bool = True
    """Move on by itself when a hold ends (otherwise wait for "next")."""
    fresh: bool = False
    """Ignore saved progress and start from the beginning."""
