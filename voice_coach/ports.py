"""The ports the runner talks to; adapters implement them, tests pass fakes."""

from __future__ import annotations

import threading
from typing import Protocol

from voice_coach.core.events import Chime, Say, StepStarted

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

    def speak(self, item: Say | Chime, cancel: threading.Event, start: float) -> None:
        """Real time: say or play ``item``, returning when done or soon after ``cancel`` is set."""
        ...

    def close(self) -> None:
        """Release devices and finish files."""
        ...
