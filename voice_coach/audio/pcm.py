"""A small typed value for audio: mono float32 samples in [-1, 1] and their rate."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from voice_coach.core.errors import CoachError


@dataclass(frozen=True)
class Audio:
    """Mono audio; ``samples`` are float32 in [-1, 1] at ``rate`` samples a second."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    @classmethod
    def silence(cls, seconds: float, rate: int) -> Audio:
        return cls(np.zeros(round(seconds * rate), dtype=np.float32), rate)

    @classmethod
    def from_int16(cls, data: bytes, rate: int) -> Audio:
        return cls(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, rate)

    def resampled(self, rate: int) -> Audio:
        """The same sound at another rate (soxr: high quality, fast, maintained)."""
        if rate == self.rate or len(self.samples) == 0:
            return Audio(self.samples, rate) if len(self.samples) == 0 else self
        return Audio(soxr.resample(self.samples, self.rate, rate).astype(np.float32), rate)

    def scaled(self, gain: float) -> Audio:
        """Louder or quieter by ``gain`` (a factor), clipped to [-1, 1]."""
        return Audio(np.clip(self.samples * gain, -1.0, 1.0).astype(np.float32), self.rate)

    def at_speech_level(self, level: float) -> Audio:
        """Scaled so that its speech (at 16 kHz, as :func:`active_rms` measures it) has RMS
        ``level``: how loud a person sounds, whatever the silence around the words."""
        return self.scaled(level / active_rms(self.samples))

    def then(self, other: Audio) -> Audio:
        """This audio followed by ``other`` (resampled to this rate)."""
        other = other.resampled(self.rate)
        return Audio(np.concatenate([self.samples, other.samples]), self.rate)

    def to_int16(self) -> bytes:
        return (np.clip(self.samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

    def rms_dbfs(self) -> float:
        """Loudness as RMS in dB relative to full scale (-inf for silence)."""
        if len(self.samples) == 0:
            return float("-inf")
        rms = float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))
        return 20 * np.log10(rms) if rms > 0 else float("-inf")


SAMPLE_RATE = 16000
"""The rate the microphones deliver and every recogniser and the endpointer work at."""
ROOM_NOISE = 10.0 / 32768
"""The level (RMS, full scale 1) of a quiet room, about -70 dBFS: put around audio that has
none, since a real microphone never gives digital silence and recognisers' feature
normalisation and voice detectors misbehave on it."""


def active_rms(samples: np.ndarray) -> float:
    """RMS over the 10 ms frames (at 16 kHz) within 30 dB of the loudest: the level of the
    speech itself, whatever the silence around it."""
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    power = np.mean(frames**2, axis=1)
    active = power[power > power.max() * 1e-3] if len(power) else power
    return float(np.sqrt(np.mean(active))) if len(active) else 0.0


def room_noise(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` samples of a quiet room (float32, full scale 1)."""
    return rng.normal(0.0, ROOM_NOISE, count).astype(np.float32)


MIN_RATE, MAX_RATE = 4000, 384_000
"""Sample rates a WAV file may have: outside them the header is wrong (or it is not speech)."""
MAX_CHANNELS = 32
MAX_BLOCK = 4 << 20
"""Bytes read at a time at most (a second of 32 channels of 32-bit audio would be 49 MB)."""
BLOCK_SECONDS = 1.0
"""A WAV file is read this much at a time, whatever its header claims."""


class WavReader:
    """A PCM WAV file of any width (8 to 32 bits), rate and channel count, read in blocks and
    mixed down to mono. The header is checked before any audio is read, and nothing is read
    ahead: memory stays at one block, however long the file is or says it is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._wav = wave.open(str(path), "rb")  # noqa: SIM115 (closed by close())
        except (OSError, EOFError, wave.Error, ValueError) as exc:
            raise CoachError(f"cannot read {path} as a WAV file ({exc or 'it ends early'})"
                             ) from None  # fmt: skip
        width, self.channels = self._wav.getsampwidth(), self._wav.getnchannels()
        self.rate = self._wav.getframerate()
        problem = None
        if not MIN_RATE <= self.rate <= MAX_RATE:
            problem = f"its header gives a sample rate of {self.rate} Hz"
        elif not 1 <= self.channels <= MAX_CHANNELS:
            problem = f"its header gives {self.channels} channels"
        elif width not in (1, 2, 3, 4):
            problem = f"its header gives {width * 8}-bit samples"
        if problem:
            self._wav.close()
            raise CoachError(f"cannot read {path} as a WAV file: {problem}")
        self._width = width

    def blocks(self, seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
        """Mono float32 samples, ``seconds`` at a time, to the end of the data that is there."""
        frames = max(1, min(round(seconds * self.rate), MAX_BLOCK // (self._width * self.channels)))
        while True:
            try:
                data = self._wav.readframes(frames)
            except (OSError, EOFError, wave.Error, ValueError) as exc:
                raise CoachError(f"cannot read {self.path} to its end ({exc})") from None
            usable = len(data) - len(data) % (self._width * self.channels)
            if usable <= 0:
                return
            yield self._mono(data[:usable])

    def _mono(self, data: bytes) -> np.ndarray:
        width = self._width
        if width == 1:
            samples = (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128) / 128
        elif width == 2:
            samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
        elif width == 3:
            raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3)
            ints = (raw[:, 0].astype(np.int32) | raw[:, 1].astype(np.int32) << 8
                    | raw[:, 2].astype(np.int32) << 16)  # fmt: skip
            samples = np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)
        else:
            samples = np.frombuffer(data, dtype="<i4").astype(np.float32) / float(1 << 31)
        if self.channels > 1:
            samples = samples.reshape(-1, self.channels).mean(axis=1)
        return samples.astype(np.float32)

    def close(self) -> None:
        self._wav.close()


def read_wav(path: Path, max_seconds: float = 3600.0) -> Audio:
    """A whole WAV file, mixed down to mono (see :class:`WavReader`); longer than
    ``max_seconds`` is refused rather than loaded."""
    reader = WavReader(path)
    try:
        blocks, total = [], 0
        for block in reader.blocks():
            total += len(block)
            if total > max_seconds * reader.rate:
                raise CoachError(f"{path} is longer than {max_seconds:g} seconds: too long to "
                                 "load whole")  # fmt: skip
            blocks.append(block)
    finally:
        reader.close()
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return Audio(samples, reader.rate)


def write_wav(path: Path, audio: Audio) -> None:
    """Write 16-bit mono PCM."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.rate)
        wav.writeframes(audio.to_int16())
