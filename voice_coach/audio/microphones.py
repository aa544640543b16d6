"""Microphones: a PortAudio input device, or a WAV file heard as if through one.

Both give 16 kHz 16-bit mono frames, the format the endpointer and recognisers use.
"""

from __future__ import annotations

import logging
import queue
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from voice_coach.audio.devices import find_device, sounddevice
from voice_coach.audio.pcm import SAMPLE_RATE, WavReader
from voice_coach.core.errors import CoachError

log = logging.getLogger(__name__)

DITHER = 3.0
"""Noise (in 16-bit steps, about -80 dBFS) added to file audio: a real microphone never delivers
exact digital silence, and recognisers' feature normalisation misbehaves on it."""


class WavMicrophone:
    """A WAV file (any rate, width, channels) heard as the microphone, then a second of room
    (so that speech running to the very end still ends). Read, resampled to 16 kHz and
    dithered a block at a time as it is heard: a three-hour file costs what a short one does."""

    def __init__(self, path: Path) -> None:
        self._reader = WavReader(path)
        self._blocks = self._reader.blocks()
        self._resampler = soxr.ResampleStream(self._reader.rate, SAMPLE_RATE, 1, dtype="float32")
        self._dither = np.random.default_rng(0)
        self._pending = b""
        self._tail = SAMPLE_RATE * 2  # bytes of room still to come after the file
        self._done = False

    def read(self, size: int) -> bytes | None:
        """The next ``size`` bytes, or None when the file is used up (a short last frame is
        padded with silence)."""
        while len(self._pending) < size and not self._done:
            self._pending += self._next_pcm()
        if not self._pending:
            return None
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk + b"\0" * (size - len(chunk))

    def _next_pcm(self) -> bytes:
        block = next(self._blocks, None)
        if block is None:
            samples = self._resampler.resample_chunk(np.zeros(0, np.float32), last=True)
            samples = np.concatenate([samples, np.zeros(self._tail // 2, np.float32)])
            self._done = True
        else:
            samples = self._resampler.resample_chunk(block)
        scaled = samples * 32767 + self._dither.normal(0, DITHER, len(samples))
        return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()

    def close(self) -> None:
        self._reader.close()
        self._pending = b""
        self._done = True


class DeviceMicrophone:
    """A PortAudio input. The callback only copies and queues; resampling to 16 kHz (soxr) and
    everything else happens on the reading thread."""

    def __init__(self, name: str | None = None) -> None:
        sd = sounddevice()
        self.device = find_device(name, "input")
        self.rate = int(self.device.rate)
        self._blocks: queue.Queue[np.ndarray | Exception] = queue.Queue()
        self._resampler: Any = (
            soxr.ResampleStream(self.rate, SAMPLE_RATE, 1, dtype="float32")
            if self.rate != SAMPLE_RATE else None
        )  # fmt: skip
        self._buffer = b""
        self._stream: Any = sd.InputStream(
            device=self.device.index, samplerate=self.rate, channels=1, dtype="float32",
            blocksize=round(0.02 * self.rate), callback=self._heard,
        )  # fmt: skip
        self._stream.start()

    def _heard(self, data: np.ndarray, frames: int, when: Any, status: Any) -> None:
        if status.input_overflow:
            log.info("microphone overflow: some audio was lost")
        self._blocks.put(data[:, 0].copy())

    @property
    def latency(self) -> float:
        """Seconds between sound reaching the microphone and its frame being read, when the
        reader keeps up."""
        return float(self._stream.latency)

    @property
    def backlog(self) -> int:
        """Blocks captured but not read yet."""
        return self._blocks.qsize()

    def read(self, size: int, timeout: float = 2.0) -> bytes:
        """The next ``size`` bytes at 16 kHz; raises :class:`CoachError` when the device stops."""
        while len(self._buffer) < size:
            try:
                block = self._blocks.get(timeout=timeout)
            except queue.Empty:
                raise CoachError(
                    f"the microphone '{self.device.name}' stopped sending audio"
                ) from None
            if isinstance(block, Exception):
                raise CoachError(f"the microphone failed: {block}")
            if self._resampler is not None:
                block = self._resampler.resample_chunk(block)
            self._buffer += (np.clip(block, -1, 1) * 32767).astype("<i2").tobytes()
        frame, self._buffer = self._buffer[:size], self._buffer[size:]
        return frame

    def close(self) -> None:
        self._stream.abort()  # not stop(): a lost device may never finish stopping
        self._stream.close()
