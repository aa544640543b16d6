"""Where the coach's audio goes: a PortAudio output stream, or a WAV file on the session clock."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voice_coach.audio.devices import find_device, sounddevice
from voice_coach.audio.pcm import Audio

BLOCK_SECONDS = 0.02
"""Audio is written in blocks this long, so a stop request is seen within one block."""


class AudioSink(Protocol):
    rate: int

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        """Real time: play ``audio`` (which starts at session time ``start``), returning when it
        is over or right after ``cancel`` is set."""
        ...

    def place(self, audio: Audio, start: float) -> None:
        """Virtual time: put ``audio`` at session time ``start``."""
        ...

    def close(self) -> None: ...


class DeviceOutput:
    """A sound card through PortAudio. Stopping drops what is buffered, so silence is immediate."""

    def __init__(self, name: str | None = None) -> None:
        sd = sounddevice()
        self.device = find_device(name, "output")
        self.rate = int(self.device.rate)
        self._stream: Any = sd.OutputStream(
            device=self.device.index, samplerate=self.rate, channels=1, dtype="float32",
            latency="low",
        )  # fmt: skip
        self._stream.start()

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        samples = audio.resampled(self.rate).samples
        block = max(1, round(BLOCK_SECONDS * self.rate))
        for offset in range(0, len(samples), block):
            if cancel.is_set():
                self._stream.abort()  # discard the buffered audio, then carry on listening
                self._stream.start()
                return
            self._stream.write(np.ascontiguousarray(samples[offset : offset + block]))

    def place(self, audio: Audio, start: float) -> None:
        raise NotImplementedError("a sound card plays in real time; virtual time needs a WAV")

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


class WavTimeline:
    """A WAV file of the whole session: each piece of audio at its session time, silence between.

    Written as it goes (16-bit mono), so a long session never sits in memory.
    """

    def __init__(self, path: Path, rate: int, paced: bool = False) -> None:
        self.rate = rate
        self._paced = paced
        self._file = wave.open(str(path), "wb")  # noqa: SIM115 - closed in close()
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(rate)
        self._written = 0

    def place(self, audio: Audio, start: float) -> None:
        samples = audio.resampled(self.rate).samples
        at = round(start * self.rate)
        if at > self._written:
            self._file.writeframes(b"\0\0" * (at - self._written))
            self._written = at
        self._file.writeframes(Audio(samples, self.rate).to_int16())
        self._written += len(samples)

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        """Real time: wait as long as the audio lasts, and keep only what was "heard"."""
        began = time.monotonic()
        if self._paced:
            cancel.wait(audio.seconds)
        heard = min(audio.seconds, time.monotonic() - began) if self._paced else audio.seconds
        self.place(Audio(audio.samples[: round(heard * audio.rate)], audio.rate), start)

    def close(self) -> None:
        self._file.close()
