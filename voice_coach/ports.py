"""The ports the runner talks to; adapters implement them, tests pass fakes."""

from __future__ import annotations

import threading
from typing import Protocol


class Speaker(Protocol):
    """Says the coach's words: prints them, plays them, or renders them to a file."""

    def set_voice(self, rate: int, volume: int) -> None:
        """Use this rate and volume level from now on (0 is the default, one step per level)."""
        ...

    def render(self, text: str, start: float) -> float:
        """Virtual time: output ``text`` as starting at session time ``start``; return seconds."""
        ...

    def speak(self, text: str, cancel: threading.Event) -> None:
        """Real time: say ``text``, returning when done or soon after ``cancel`` is set."""
        ...

    def close(self) -> None:
        """Release devices and finish files."""
        ...
