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
from voice_coach.core.errors import CoachError
from voice_coach.core.playback import PlaybackLog

BLOCK_SECONDS = 0.02
"""The output callback's block: a stop request is heard within about one block."""
LATENCY = 0.1
"""Seconds of audio the sound card is handed ahead. PortAudio's "low" latency through
PulseAudio ran dry (underruns) every few seconds on a busy 2-core machine, and each one moved the
echo the canceller had learnt; 0.1 s ran dry three times in a whole session. It also delays
silencing the coach by as much."""
STARTUP_SECONDS = 5.0
"""How long to wait for a newly opened output to start running."""
STALL_SECONDS = 4.0
"""An output whose callback has not run for this long has been lost."""
STEADY_CALLS = 10
"""Callbacks seen before an output counts as running steadily."""


class AudioSink(Protocol):
    rate: int

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        """Real time: play ``audio`` (which starts at session time ``start``), returning when it
        is over or right after ``cancel`` is set."""
        ...

    def place(self, audio: Audio, start: float) -> None:
        """Virtual time: put ``audio`` at session time ``start``."""
        ...

    def cut(self, at: float) -> None:
        """Virtual time: what was put last stops at session time ``at``."""
        ...

    def close(self) -> None: ...


class DeviceOutput:
    """A sound card through PortAudio.

    The stream runs all the time and its callback hands out queued audio, or silence when there
    is none: a blocking stream that runs dry underruns, and ALSA then takes seconds to recover
    before the next word is heard. Stopping empties the queue, so silence follows within one
    callback block plus the device's latency.
    """

    def __init__(self, name: str | None = None, playback: PlaybackLog | None = None) -> None:
        sd = sounddevice()
        self.playback = playback
        """Where each block's level is written, as it is heard (the listener's reference)."""
        self.device = find_device(name, "output")
        self.rate = int(self.device.rate)
        self._lock = threading.Lock()
        self._audio = np.zeros(0, dtype=np.float32)
        self._position = 0
        self._drained = threading.Event()
        self._drained.set()
        self._stream: Any = sd.OutputStream(
            device=self.device.index, samplerate=self.rate, channels=1, dtype="float32",
            latency=LATENCY, blocksize=round(BLOCK_SECONDS * self.rate), callback=self._fill,
        )  # fmt: skip
        self._calls = 0
        self._last_call = time.monotonic()
        self._running = threading.Event()
        self._stream.start()
        # Some servers pull a few blocks, then pause for a second or more before pulling steadily:
        # wait for that here rather than in the middle of the first word.
        if not self._running.wait(STARTUP_SECONDS):
            self._stream.abort()
            self._stream.close()
            raise CoachError(f"the speaker '{self.device.name}' does not play (is it asleep or "
                             "in use?)")  # fmt: skip

    def _fill(self, out: np.ndarray, frames: int, when: Any, status: Any) -> None:
        """PortAudio's callback: copy the next samples out, nothing else."""
        self._calls += 1
        self._last_call = time.monotonic()
        if self._calls >= STEADY_CALLS:
            self._running.set()
        with self._lock:
            chunk = self._audio[self._position : self._position + frames]
            self._position += len(chunk)
            if self._position >= len(self._audio):
                self._drained.set()
        out[: len(chunk), 0] = chunk
        out[len(chunk) :, 0] = 0.0
        # When (monotonic clock, plus the output latency) and how loud this block is heard:
        # the listener compares the microphone with it to hear the person over the coach.
        if self.playback is not None:
            level = float(np.sqrt(np.mean(chunk**2))) if len(chunk) else 0.0
            heard = time.monotonic() + self._stream.latency
            samples = out[:, 0].astype("<f4").tobytes()
            self.playback.played_monotonic(heard, frames / self.rate, level, samples, self.rate)

    def play(self, audio: Audio, cancel: threading.Event, start: float) -> None:
        samples = audio.resampled(self.rate).samples
        with self._lock:
            self._audio, self._position = samples, 0
            self._drained.clear()
        while not self._drained.wait(BLOCK_SECONDS / 2):
            if time.monotonic() - self._last_call > STALL_SECONDS:
                raise CoachError(f"the speaker '{self.device.name}' stopped playing")
            if cancel.is_set():
                with self._lock:
                    self._audio, self._position = np.zeros(0, dtype=np.float32), 0
                    self._drained.set()
                return

    def place(self, audio: Audio, start: float) -> None:
        raise NotImplementedError("a sound card plays in real time; virtual time needs a WAV")

    def cut(self, at: float) -> None:
        raise NotImplementedError("a sound card plays in real time; virtual time needs a WAV")

    def close(self) -> None:
        # abort, not stop: stopping waits for buffers to drain, which a lost device never does
        self._stream.abort()
        self._stream.close()


class WavTimeline:
    """A WAV file of the whole session: each piece of audio at its session time, silence between.

    Written as it goes (16-bit mono), so a long session never sits in memory: only the last
    piece is held back, in case it is cut short.
    """

    def __init__(self, path: Path, rate: int, paced: bool = False) -> None:
        self.rate = rate
        self._paced = paced
        self._file = wave.open(str(path), "wb")  # noqa: SIM115 - closed in close()
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(rate)
        self._written = 0
        self._held: tuple[int, np.ndarray] | None = None
        """The last piece placed (its first sample and its samples), not yet written."""

    def place(self, audio: Audio, start: float) -> None:
        self._write_held()
        self._held = (round(start * self.rate), audio.resampled(self.rate).samples)

    def cut(self, at: float) -> None:
        if self._held is not None:
            first, samples = self._held
            self._held = (first, samples[: max(0, round(at * self.rate) - first)])

    def _write_held(self) -> None:
        if self._held is None:
            return
        (at, samples), self._held = self._held, None
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
        self._write_held()
        self._file.close()
