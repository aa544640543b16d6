"""A simulated room for virtual runs: the coach's own voice comes back into the microphone,
quieter and a little late, the way a speaker and a microphone on one table hear each other.

Used to prove that the coach never obeys itself, with no loudspeaker or microphone at all.
"""

from __future__ import annotations

import threading

import numpy as np

from voice_coach.audio.output import AudioSink
from voice_coach.audio.pcm import SAMPLE_RATE, Audio


class Room:
    """What the coach has played, at 16 kHz on the session clock: heard back into the microphone
    (``gain_db`` quieter, ``delay`` later) when the room is simulated, and always available as
    the reference the listener compares the microphone with."""

    def __init__(self, gain_db: float | None = None, delay: float = 0.0) -> None:
        self.gain = 10 ** (gain_db / 20) if gain_db is not None else 0.0
        self.delay = delay
        self._played = np.zeros(0, dtype=np.float32)
        self._output = np.zeros(0, dtype=np.float32)

    def level(self, start: float, end: float) -> float:
        """The loudest 10 ms RMS of what the coach played between ``start`` and ``end``."""
        first, last = max(0, round(start * SAMPLE_RATE)), max(0, round(end * SAMPLE_RATE))
        part = self._output[first:last]
        if len(part) < 160:
            return 0.0
        blocks = part[: len(part) // 160 * 160].reshape(-1, 160)
        return float(np.sqrt(np.mean(blocks**2, axis=1)).max())

    def play(self, audio: Audio, start: float) -> None:
        samples = audio.resampled(SAMPLE_RATE).samples
        at = round(start * SAMPLE_RATE)
        self._output = _placed(self._output, samples, at)
        if self.gain:
            self._played = _placed(self._played, samples * self.gain,
                                   at + round(self.delay * SAMPLE_RATE))  # fmt: skip

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

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        raise NotImplementedError("the simulated room is for virtual runs")

    def close(self) -> None:
        self._sink.close()


class RoomMicrophone:
    """A WAV microphone that also hears the room."""

    def __init__(self, microphone: object, room: Room) -> None:
        self._microphone = microphone
        self._room = room
        self._position = 0

    def read(self, size: int) -> bytes | None:
        """The person's recording plus the room; after the recording, the room alone for as
        long as the coach has been heard in it."""
        count = size // 2
        frame = self._microphone.read(size)  # type: ignore[attr-defined]
        if frame is None:
            if self._position >= self._room.length:
                return None
            frame = b"\0" * size
        voice = np.frombuffer(frame, dtype="<i2").astype(np.float32)
        echo = self._room.heard(self._position, count) * 32767
        self._position += count
        return np.clip(voice + echo, -32768, 32767).astype("<i2").tobytes()

    def close(self) -> None:
        self._microphone.close()  # type: ignore[attr-defined]


def _placed(into: np.ndarray, samples: np.ndarray, first: int) -> np.ndarray:
    """``into`` grown as needed, with ``samples`` added from sample ``first``."""
    if first + len(samples) > len(into):
        into = np.concatenate([into, np.zeros(first + len(samples) - len(into), np.float32)])
    into[first : first + len(samples)] += samples
    return into
