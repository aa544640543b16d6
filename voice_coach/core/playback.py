"""What the coach played, on the session clock: which words from when to when, how loud its
audio was, and (for the last seconds) the audio itself. The speaking side writes it as it plays;
the listening side reads it (is the coach talking? how loud was it just now?); it is the
reference an echo canceller needs, too."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, replace
from itertools import islice

KEEP_SECONDS = 60.0
"""How far back the log remembers levels (the listener looks a second or two back)."""
KEEP_AUDIO_SECONDS = 10.0
"""How far back it keeps the audio itself once read (an echo canceller needs the last few
hundred ms)."""
KEEP_UNREAD_SECONDS = 60.0
"""How far back it keeps audio nobody has read yet: a virtual run logs a whole line as it
begins, and a line can be longer than ``KEEP_AUDIO_SECONDS``."""


@dataclass(frozen=True)
class Played:
    """A block of what the coach played: when, and the samples themselves (mono float32,
    little-endian, at ``rate``), the reference an echo canceller subtracts. ``index`` counts the
    blocks from 1: a sound card hands out blocks in bursts, so their time stamps overlap and
    only the count says which block follows which."""

    index: int
    start: float
    end: float
    samples: bytes
    rate: int


class PlaybackLog:
    """A thread-safe log of the coach's words and of its audio's level.

    ``audible`` tells whether levels are written at all: a coach that only prints its words has
    no audio to compare the microphone with."""

    def __init__(self, audible: bool = False) -> None:
        self.audible = audible
        self.origin: float | None = None
        """``time.monotonic()`` at session time 0, for writers that stamp with that clock (set
        by the real-time runner; a sound card opened before then logs nothing)."""
        self._lock = threading.Lock()
        self._words: deque[tuple[float, float, str]] = deque(maxlen=16)
        self._current: tuple[float, str] | None = None
        self._levels: deque[tuple[float, float, float]] = deque()
        self._audio: deque[Played] = deque()
        self._blocks = 0
        """Blocks of audio logged so far."""
        self._read = 0
        """The last block a reader has taken in."""

    def began(self, start: float, text: str) -> None:
        """The coach began saying ``text`` (real time: it goes on until :meth:`ended`)."""
        with self._lock:
            self._current = (start, text)

    def ended(self, end: float) -> None:
        """What the coach was saying ended at ``end`` (finished or cut short)."""
        with self._lock:
            if self._current is not None:
                start, text = self._current
                self._words.append((start, end, text))
                self._current = None

    def said(self, start: float, end: float, text: str) -> None:
        """The coach says ``text`` from ``start`` to ``end`` (virtual time: known in advance)."""
        with self._lock:
            self._words.append((start, end, text))

    def cut(self, at: float) -> None:
        """The last words were cut short at ``at`` (virtual time): they, and the audio logged
        for after ``at``, were never played."""
        with self._lock:
            if self._words and self._words[-1][1] > at:
                start, _, text = self._words[-1]
                self._words[-1] = (start, at, text)
            self._levels = deque((s, e, 0.0 if s >= at else lv) for s, e, lv in self._levels)
            self._audio = deque(
                replace(block, samples=bytes(len(block.samples))) if block.start >= at else block
                for block in self._audio
            )

    def played(self, start: float, end: float, level: float, samples: bytes = b"",
               rate: int = 0) -> None:  # fmt: skip
        """Audio from ``start`` to ``end`` was played at ``level`` (its loudest RMS, full scale
        1); ``samples`` are that audio (float32 at ``rate``), when the writer has it."""
        with self._lock:
            self._levels.append((start, end, level))
            while self._levels and self._levels[0][1] < end - KEEP_SECONDS:
                self._levels.popleft()
            if samples:
                self._blocks += 1
                self._audio.append(Played(self._blocks, start, end, samples, rate))
                while self._audio and self._audio[0].end < end - (
                    KEEP_AUDIO_SECONDS if self._audio[0].index <= self._read
                    else KEEP_UNREAD_SECONDS
                ):  # fmt: skip
                    self._audio.popleft()

    def played_monotonic(self, at: float, seconds: float, level: float, samples: bytes = b"",
                         rate: int = 0) -> None:  # fmt: skip
        """:meth:`played`, stamped with ``time.monotonic()`` (a sound card's callback)."""
        if self.origin is None:
            return
        self.played(at - self.origin, at - self.origin + seconds, level, samples, rate)

    def speaking_between(self, start: float, end: float) -> str | None:
        """What the coach said between ``start`` and ``end`` (None if it was silent)."""
        with self._lock:
            spans = list(self._words)
            if self._current is not None:
                spans.append((self._current[0], float("inf"), self._current[1]))
        texts = [text for began, ended, text in spans if began < end and ended > start]
        return " ".join(texts) if texts else None

    def level(self, start: float, end: float) -> float:
        """The loudest level played between ``start`` and ``end`` (0 when nothing was)."""
        with self._lock:
            levels = [lv for began, ended, lv in self._levels if began < end and ended > start]
        return max(levels, default=0.0)

    def audio_after(self, index: int) -> list[Played]:
        """The blocks of audio logged after block ``index``, in the order they were played (the
        last few seconds are kept)."""
        with self._lock:
            self._read = max(self._read, index)
            count = min(self._blocks - index, len(self._audio))
            return list(islice(reversed(self._audio), max(count, 0)))[::-1]
