"""Settings for a run, made from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunSettings:
    """How one session runs."""

    routine: str = "foot-massage"
    """Routine id (or a path to a routine file)."""
    variant: str | None = None
    """Which variant of the routine: ``standard`` or ``quick`` for the foot massage; None:
    ``standard``, or the first the routine has."""
    locale: str = "en"
    """Language of the routine, the command phrases, the prompts and the voice."""
    input: str | None = None
    """``mic``, ``text`` (standard input, one utterance a line) or a ``.wav`` file heard as the
    microphone; None: the microphone in real time, text in virtual time."""
    engine: str = "auto"
    """Recogniser: ``auto`` (vosk when a model for the locale is found, else pocketsphinx),
    ``vosk`` or ``pocketsphinx``."""
    model: Path | None = None
    """A vosk model folder to use instead of looking for one."""
    mic: str | None = None
    """Input device: part of its name or its index; None for the system default."""
    output: str | None = None
    """``text``, ``speaker`` or a ``.wav`` path; None: speaker in real time, text in virtual."""
    voice: str = "default"
    """``default`` (pyttsx3 with espeak-ng) or ``natural`` (the optional neural voice)."""
    speaker: str | None = None
    """Output device: part of its name or its index; None for the system default."""
    chimes: bool = True
    """A soft chime marks the start and end of each hold."""
    room_echo: float | None = None
    """Virtual runs only: the coach's voice comes back into the microphone this many dB quieter
    (a simulated room, to check that the coach never obeys itself)."""
    clock: str | None = None
    """``real`` time, or ``virtual`` time that jumps to the next timer or input; None: virtual
    with a WAV file as the microphone, real otherwise."""
    transcript: Path | None = None
    """Write every event as JSON Lines to this file."""
    auto_advance: bool = True
    """Move on by itself when a hold ends (otherwise wait for "next")."""
    stay: bool = False
    """When the routine ends, wait for "start" to begin it again instead of exiting."""
    fresh: bool = False
    """Ignore saved progress and start from the beginning."""
    rate: int | None = None
    """Starting speaking-rate level from the settings file; None: the level last used."""
    volume: int | None = None
    """Starting volume level from the settings file; None: the level last used."""

    @property
    def virtual(self) -> bool:
        if self.clock is not None:
            return self.clock == "virtual"
        return self.input is not None and self.input.lower().endswith(".wav")

    @property
    def resolved_input(self) -> str:
        if self.input is not None:
            return self.input
        return "text" if self.virtual else "mic"

    @property
    def resolved_output(self) -> str:
        if self.output is not None:
            return self.output
        return "text" if self.virtual else "speaker"
