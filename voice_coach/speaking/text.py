"""Text in and text out: the coach's words as printed lines, the person's as typed lines."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import TextIO

from voice_coach.core.errors import CoachError
from voice_coach.core.events import Chime, Say
from voice_coach.core.plan import speech_seconds

RATE_STEP = 1.15
"""Each rate level speaks this many times faster than the one below."""


class OutputClosed(CoachError):
    """Standard output was closed: the reader of a pipe went away (``voice-coach run | head``)."""


def print_line(text: str, stream: TextIO | None = None) -> None:
    """Print a line on ``stream`` (``sys.stdout``, looked up late: the terminal prompt patches
    it). When the reader has gone, standard output is pointed at /dev/null, so that nothing
    else fails on it, and :class:`OutputClosed` is raised."""
    try:
        print(text, file=stream or sys.stdout, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
        raise OutputClosed("the output was closed (its reader went away); stopped") from None


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

    def cut(self, at: float) -> None:
        """Printed words stay printed."""

    def speak(self, item: Say | Chime, cancel: threading.Event, start: float) -> None:
        if isinstance(item, Say):
            self._print(item.text)
            cancel.wait(speech_seconds(item.text, self._rate))

    def _print(self, text: str) -> None:
        with self._lock:
            print_line(text, self._stream)

    def reconnect(self) -> None:
        """Printed words are never lost."""

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            (self._stream or sys.stdout).flush()
