"""Microphones: a PortAudio input device, or a WAV file heard as if through one.

Both give 16 kHz 16-bit mono frames, the format the endpointer and recognisers use.
"""

from __future__ import annotations

import logging
import queue
import wave
from pathlib import Path
from typing import Any

import numpy as np

from voice_coach.audio.devices import find_device, sounddevice
from voice_coach.audio.pcm import read_wav
from voice_coach.errors import CoachError
from voice_coach.stt.base import SAMPLE_RATE

log = logging.getLogger(__name__)

DITHER = 3.0
"""Noise (in 16-bit steps, about -80 dBFS) added to file audio: a real microphone never delivers
exact digital silence, and recognisers' feature normalisation misbehaves on it."""


class WavMicrophone:
    """A WAV file (any rate, width, channels) heard as the microphone, then silence."""

    def __init__(self, path: Path) -> None:
        try:
            audio = read_wav(path).resampled(SAMPLE_RATE)
        except (OSError, EOFError, wave.Error) as exc:
            raise CoachError(f"cannot read {path} as a WAV file ({exc})") from None
        # A second of room after the end, so that speech running to the very end still ends.
        tail = np.zeros(SAMPLE_RATE, dtype=np.float32)
        samples = np.concatenate([audio.samples, tail]) * 32767
        samples += np.random.default_rng(0).normal(0, DITHER, len(samples))
        self._pcm = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
        self._position = 0
        self.seconds = audio.seconds

    def read(self, size: int) -> bytes | None:
        """The next ``size`` bytes, or None when the file is used up (a short last frame is
        padded with silence)."""
        if self._position >= len(self._pcm):
            return None
        chunk = self._pcm[self._position : self._position + size]
        self._position += size
        return chunk + b"\0" * (size - len(chunk))

    def close(self) -> None:
        self._pcm = b""


class DeviceMicrophone:
    """A PortAudio input. The callback only copies and queues; resampling to 16 kHz (soxr) and
    everything else happens on the reading thread."""

    def __init__(self, name: str | None = None) -> None:
        import soxr

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
