"""What goes into the session (events) and what comes out of it (effects).

Every event carries ``t``, the session clock in seconds when it happened: the session never reads
a clock itself, so the same sequence of events always gives the same effects.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.core.commands import Command
from voice_coach.core.progress import Progress

# ---------------------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Start:
    """The run begins."""

    t: float


@dataclass(frozen=True)
class Heard:
    """The person said (or typed) something; ``command`` is None when it is not a command."""

    t: float
    text: str
    command: Command | None


@dataclass(frozen=True)
class TimerDone:
    """The wake-up time asked for by the last :class:`SetTimer` has come."""

    t: float


@dataclass(frozen=True)
class SpeechDone:
    """The coach fell silent; ``utterance`` is the last :class:`Say` it finished or cut."""

    t: float
    utterance: int


@dataclass(frozen=True)
class NoInput:
    """Nothing more will come: no input left, no timer set, the coach silent."""

    t: float


@dataclass(frozen=True)
class DeviceLost:
    """The ``microphone`` or the ``speaker`` stopped working; the runner tries to get it back."""

    t: float
    device: str


@dataclass(frozen=True)
class DeviceBack:
    """The lost ``device`` works again."""

    t: float
    device: str


Event = Start | Heard | TimerDone | SpeechDone | NoInput | DeviceLost | DeviceBack

# --------------------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class Say:
    """Speak ``text``; utterances are queued and spoken in order."""

    text: str
    utterance: int


@dataclass(frozen=True)
class Chime:
    """Play a short sound: ``hold-start`` or ``hold-end``."""

    name: str


@dataclass(frozen=True)
class Silence:
    """Stop speaking at once and drop everything queued."""


@dataclass(frozen=True)
class SetTimer:
    """Wake the session with :class:`TimerDone` at session time ``at`` (replaces any timer)."""

    at: float


@dataclass(frozen=True)
class CancelTimer:
    """Forget the pending timer."""


@dataclass(frozen=True)
class StepStarted:
    """A step (on a side) begins."""

    step: str
    side: str | None
    title: str
    number: int
    total: int


@dataclass(frozen=True)
class SetVoice:
    """Speak at this rate and volume level (0 is the default; each level is one step)."""

    rate: int
    volume: int


@dataclass(frozen=True)
class Save:
    """Store this progress (None: forget saved progress, nothing is left to resume)."""

    progress: Progress | None


@dataclass(frozen=True)
class End:
    """The session is over: ``finished``, ``quit``, ``safety`` or ``no-input``."""

    reason: str


Effect = Say | Chime | Silence | SetTimer | CancelTimer | StepStarted | SetVoice | Save | End
