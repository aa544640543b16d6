"""The ports the runner and the listener talk to; adapters implement them, tests pass fakes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voice_coach.core.events import Chime, Say, StepStarted
from voice_coach.core.playback import Played
from voice_coach.core.progress import Progress

Output = Say | Chime | StepStarted
"""What the runner queues for the speaker, in order (a step marker is only logged)."""


class Speaker(Protocol):
    """Says the coach's words and plays its chimes: prints them, plays them, or renders them."""

    def set_voice(self, rate: int, volume: int) -> None:
        """Use this rate and volume level from now on (0 is the default, one step per level)."""
        ...

    def render(self, item: Say | Chime, start: float) -> float:
        """Virtual time: output ``item`` as starting at session time ``start``; return seconds."""
        ...

    def cut(self, at: float) -> None:
        """Virtual time: what was rendered stops at session time ``at`` (the coach was
        silenced)."""
        ...

    def speak(self, item: Say | Chime, cancel: threading.Event, start: float) -> None:
        """Real time: say or play ``item``, returning when done or soon after ``cancel`` is set."""
        ...

    def reconnect(self) -> None:
        """Open the output again after it was lost; raises CoachError while it is not back (an
        output that cannot be lost, printed text, has nothing to do)."""
        ...

    def close(self) -> None:
        """Release devices and finish files."""
        ...


class Playback(Protocol):
    """What the coach played (``core/playback.py`` keeps it): the listener asks whether the coach
    was talking, and how loud, to tell the person from the coach's own voice in the room."""

    audible: bool
    """Whether levels are known (the coach plays audio rather than printing its words)."""

    def speaking_between(self, start: float, end: float) -> str | None:
        """What the coach said between two session times (None if it was silent)."""
        ...

    def level(self, start: float, end: float) -> float:
        """The loudest level (RMS, full scale 1) it played between two session times."""
        ...

    def audio_after(self, index: int) -> list[Played]:
        """The blocks of audio it played after block ``index`` (the echo canceller's
        reference; only the last seconds are kept)."""
        ...


class Clock(Protocol):
    """The session clock: seconds since the run began. Runners are given theirs."""

    def now(self) -> float:
        """Seconds on the session clock."""
        ...


class WallClock(Clock, Protocol):
    """A clock that runs with the wall clock (the real-time runner's)."""

    origin: float
    """``time.monotonic()`` at session time 0 (a sound card stamps with that clock)."""


@dataclass(frozen=True)
class Frame:
    """A stretch of microphone audio: 16-bit mono PCM at ``rate``, and when its last sample was
    heard: ``time.monotonic()`` for a sound card, seconds into the recording for a file."""

    pcm: bytes
    rate: int
    t: float

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.rate


class Microphone(Protocol):
    """Where the person's voice comes from: a sound card or a recording."""

    def read(self, size: int) -> Frame | None:
        """The next ``size`` bytes of 16 kHz audio; None when a recording is used up. A sound
        card that stops raises CoachError."""
        ...

    def close(self) -> None: ...


class Segmenter(Protocol):
    """Cuts microphone frames into stretches of speech (a voice-activity endpointer). Its times
    count from its own zero: ``processed`` frames ago, as it reads now."""

    frame_bytes: int
    frame_seconds: float
    processed: int
    """Frames processed since its zero."""
    window: float
    """Seconds it judges at a time: an end of speech is known this much later."""

    @property
    def in_speech(self) -> bool: ...

    @property
    def speech_start(self) -> float:
        """Start of the current or last stretch of speech, in its own seconds."""
        ...

    @property
    def speech_end(self) -> float: ...

    @property
    def voiced(self) -> bool:
        """Whether the last frame sounded like a voice, judged on that frame alone (no window,
        so a word starting is known at once, not a window later)."""
        ...

    def process(self, frame: bytes) -> None: ...

    def restart(self, quiet: bytes) -> None:
        """Drop what is in progress and judge afresh (``quiet``: a frame of the room's quiet)."""
        ...


class PlaceStore(Protocol):
    """Where the person's place in a routine is kept between runs (``run/store.py``)."""

    folder: Path

    def load(self, routine: str, variant: str, locale: str) -> Progress | None: ...

    def save(self, progress: Progress, locale: str) -> None:
        """Keep ``progress``; raises OSError when it cannot (the runner carries on)."""
        ...

    def clear(self, routine: str, variant: str, locale: str) -> None: ...


class PreferenceKeeper(Protocol):
    """Where the voice levels asked for ("slower", "louder") are remembered."""

    def load(self) -> dict[str, int]: ...

    def save(self, values: dict[str, int]) -> None: ...
