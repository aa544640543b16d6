"""A simulated room for virtual runs: the coach's own voice comes back into the microphone,
quieter and a little late, the way a speaker and a microphone on one table hear each other.

Used to prove that the coach never obeys itself, with no loudspeaker or microphone at all.
"""

from __future__ import annotations

import threading

import numpy as np

from voice_coach.audio.output import AudioSink
from voice_coach.audio.pcm import SAMPLE_RATE, Audio
from voice_coach.core.playback import PlaybackLog
from voice_coach.ports import Frame, Microphone

FILL_GAP = 1.0
"""Silences between lines up to this long (seconds) are logged as played silence."""
ROUNDING = 2
"""Samples by which a line's time stamp may miss where the last one ended (rounding) and still
follow on from it."""


class Room:
    """What the coach has played, at 16 kHz on the session clock: heard back into the microphone
    (``gain_db`` quieter, ``delay`` later) when the room is simulated, and its level always
    written to the playback log, the reference the listener compares the microphone with."""

    def __init__(self, gain_db: float | None, delay: float, playback: PlaybackLog) -> None:
        self.gain = 10 ** (gain_db / 20) if gain_db is not None else 0.0
        self.delay = delay
        self.playback = playback
        """Where the level of what is played is written, every 10 ms (the listener's
        reference)."""
        self._played = np.zeros(0, dtype=np.float32)
        self._next: int | None = None
        """Session sample where what was played last ended."""

    def play(self, audio: Audio, start: float) -> None:
        samples = audio.resampled(SAMPLE_RATE).samples
        at = round(start * SAMPLE_RATE)
        if self._next is not None and abs(at - self._next) <= ROUNDING:
            at = self._next  # follows on, as a sound card plays: not a sample apart
        gap = at - self._next if self._next is not None else 0
        if 0 < gap <= FILL_GAP * SAMPLE_RATE:
            # A sound card plays silence between lines, and the echo canceller lays what was
            # played end to end: log the short silences too.
            self._log(np.zeros(gap, np.float32), self._next)
        self._log(samples, at)
        self._next = at + len(samples)
        if self.gain:
            self._played = _placed(self._played, samples * self.gain,
                                   at + round(self.delay * SAMPLE_RATE))  # fmt: skip

    def _log(self, samples: np.ndarray, at: int) -> None:
        """Write ``samples``, played from session sample ``at``, to the playback log."""
        block = SAMPLE_RATE // 100
        for first in range(0, len(samples), block):
            chunk = samples[first : first + block]
            began = (at + first) / SAMPLE_RATE
            self.playback.played(began, began + len(chunk) / SAMPLE_RATE,
                                 float(np.sqrt(np.mean(chunk**2))), chunk.astype("<f4").tobytes(),
                                 SAMPLE_RATE)  # fmt: skip

    def cut(self, at: float) -> None:
        """The coach was silenced at session time ``at``: what it was playing stops there (the
        playback log is cut by the run itself)."""
        stop = round(at * SAMPLE_RATE)
        if self._next is not None and stop < self._next:
            self._played[stop + round(self.delay * SAMPLE_RATE) :] = 0.0
            self._next = stop

    @property
    def length(self) -> int:
        """Samples of the session the room has sound for."""
        return len(self._played)

    def heard(self, first: int, count: int) -> np.ndarray:
        """The echo in samples ``first`` to ``first + count`` of the session."""
        part = self._played[first : first + count]
        return np.concatenate([part, np.zeros(count - len(part), np.float32)])


class RoomSink:
    """A sink that plays into another sink and into the room."""

    def __init__(self, sink: AudioSink, room: Room) -> None:
        self.rate = sink.rate
        self._sink = sink
        self._room = room

    def place(self, audio: Audio, start: float) -> None:
        self._sink.place(audio, start)
        self._room.play(audio, start)

    def cut(self, at: float) -> None:
        self._sink.cut(at)
        self._room.cut(at)

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        raise NotImplementedError("the simulated room is for virtual runs")

    def close(self) -> None:
        self._sink.close()


class RoomMicrophone:
    """A WAV microphone that also hears the room."""

    def __init__(self, microphone: Microphone, room: Room) -> None:
        self._microphone = microphone
        self._room = room
        self._position = 0

    def read(self, size: int) -> Frame | None:
        """The person's recording plus the room; after the recording, the room alone for as
        long as the coach has been heard in it."""
        count = size // 2
        frame = self._microphone.read(size)
        if frame is None:
            if self._position >= self._room.length:
                return None
            pcm = b"\0" * size
        else:
            pcm = frame.pcm
        voice = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        echo = self._room.heard(self._position, count) * 32767
        self._position += count
        mixed = np.clip(voice + echo, -32768, 32767).astype("<i2").tobytes()
        return Frame(mixed, SAMPLE_RATE, self._position / SAMPLE_RATE)

    def close(self) -> None:
        self._microphone.close()


def _placed(into: np.ndarray, samples: np.ndarray, first: int) -> np.ndarray:
    """``into`` grown as needed, with ``samples`` added from sample ``first``."""
    if first + len(samples) > len(into):
        into = np.concatenate([into, np.zeros(first + len(samples) - len(into), np.float32)])
    into[first : first + len(samples)] += samples
    return into
