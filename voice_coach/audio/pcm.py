"""A small typed value for audio: mono float32 samples in [-1, 1] and their rate."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr


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


def read_wav(path: Path) -> Audio:
    """A WAV file of any PCM width, rate and channel count, mixed down to mono."""
    with wave.open(str(path), "rb") as wav:
        width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
        data = wav.readframes(wav.getnframes())
    if width == 1:
        samples = (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
    elif width == 3:
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3)
        ints = (raw[:, 0].astype(np.int32) | raw[:, 1].astype(np.int32) << 8
                | raw[:, 2].astype(np.int32) << 16)  # fmt: skip
        samples = (np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)).astype(
            np.float32
        )
    else:
        samples = np.frombuffer(data, dtype="<i4").astype(np.float32) / float(1 << 31)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Audio(samples.astype(np.float32), rate)


def write_wav(path: Path, audio: Audio) -> None:
    """Write 16-bit mono PCM."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.rate)
        wav.writeframes(audio.to_int16())
