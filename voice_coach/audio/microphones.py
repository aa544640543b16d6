"""Microphones: a PortAudio input device, or a WAV file heard as if through one.

Both give 16 kHz 16-bit mono frames, the format the endpointer and recognisers use.
"""

from __future__ import annotations

import logging
import queue
import time
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from voice_coach.audio.devices import find_device, sounddevice
from voice_coach.audio.pcm import SAMPLE_RATE, WavReader
from voice_coach.core.errors import CoachError
from voice_coach.ports import Frame

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
        self._read = 0
        """Bytes handed out so far: a frame's time is where it ends in the recording."""

    def read(self, size: int) -> Frame | None:
        """The next ``size`` bytes, or None when the file is used up (a short last frame is
        padded with silence)."""
        while len(self._pending) < size and not self._done:
            self._pending += self._next_pcm()
        if not self._pending:
            return None
        chunk, self._pending = self._pending[:size], self._pending[size:]
        self._read += size
        return Frame(chunk + b"\0" * (size - len(chunk)), SAMPLE_RATE, self._read / 2 / SAMPLE_RATE)

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
        self._blocks: queue.Queue[tuple[np.ndarray, float] | Exception] = queue.Queue()
        self._resampler: Any = (
            soxr.ResampleStream(self.rate, SAMPLE_RATE, 1, dtype="float32")
            if self.rate != SAMPLE_RATE else None
        )  # fmt: skip
        self._buffer = b""
        self._buffer_end = 0.0
        """When the last sample in the buffer was heard (``time.monotonic()``)."""
        self._stream: Any = sd.InputStream(
            device=self.device.index, samplerate=self.rate, channels=1, dtype="float32",
            blocksize=round(0.02 * self.rate), callback=self._heard,
        )  # fmt: skip
        self._stream.start()

    def _heard(self, data: np.ndarray, frames: int, when: Any, status: Any) -> None:
        """PortAudio's callback: copy the block and stamp it with when its last sample was
        heard (now, less the input latency), nothing else."""
        if status.input_overflow:
            log.info("microphone overflow: some audio was lost")
        self._blocks.put((data[:, 0].copy(), time.monotonic() - float(self._stream.latency)))

    def read(self, size: int, timeout: float = 2.0) -> Frame:
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
            samples, self._buffer_end = block
            if self._resampler is not None:
                samples = self._resampler.resample_chunk(samples)
            self._buffer += (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        frame, self._buffer = self._buffer[:size], self._buffer[size:]
        return Frame(frame, SAMPLE_RATE, self._buffer_end - len(self._buffer) / 2 / SAMPLE_RATE)

    def close(self) -> None:
        self._stream.abort()  # not stop(): a lost device may never finish stopping
        self._stream.close()
