"""Text in and text out: the coach's words as printed lines, the person's as typed lines."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from voice_coach.events import Chime, Say
from voice_coach.plan import speech_seconds

RATE_STEP = 1.15
"""Each rate level speaks this many times faster than the one below."""


class TextSpeaker:
    """Prints each utterance on its own line; "speaking" takes as long as saying it would.

    Chimes are not printed and take no time.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._rate = 1.0
        self._lock = threading.Lock()

    def set_voice(self, rate: int, volume: int) -> None:
        self._rate = RATE_STEP**rate

    def render(self, item: Say | Chime, start: float) -> float:
        if isinstance(item, Chime):
            return 0.0
        self._print(item.text)
        return speech_seconds(item.text, self._rate)

    def speak(self, item: Say | Chime, cancel: threading.Event, start: float) -> None:
        if isinstance(item, Say):
            self._print(item.text)
            cancel.wait(speech_seconds(item.text, self._rate))

    def _print(self, text: str) -> None:
        with self._lock:
            # sys.stdout is looked up late: the terminal prompt patches it while it runs.
            print(text, file=self._stream or sys.stdout, flush=True)

    def close(self) -> None:
        (self._stream or sys.stdout).flush()
