"""What a real microphone in a real room does to a voice, at random (seeded).

Speed and vocal-tract length (resampling changes both), room reverberation, colouring
(telephone band, a cheap microphone), noise (white, pink, mains hum, a fan, several synthetic
talkers at once, music) at 20 to 0 dB SNR, and level. The result is what the listener hands to
the recogniser: cut by the endpointer with a little room either side, cleaned as the listener
cleans it, padded with room noise.
"""

from __future__ import annotations

import numpy as np
import soxr
from make_corpus import Noises, reverb

from voice_coach.audio.pcm import SAMPLE_RATE, active_rms

NOISES = ("white", "pink", "hum", "fan", "babble", "music", "drums")
SNRS = (None, 20.0, 15.0, 10.0, 5.0, 0.0)
"""None: no noise added."""


def stretched(samples: np.ndarray, factor: float) -> np.ndarray:
    """Played ``factor`` times faster: higher and quicker, as a shorter vocal tract and a
    quicker talker."""
    return soxr.resample(samples, SAMPLE_RATE * factor, SAMPLE_RATE).astype(np.float32)


def coloured(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A telephone's band (300 to 3400 Hz) or a cheap microphone (weak bass, a tilted top,
    a little clipping)."""
    spectrum = np.fft.rfft(samples)
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    if rng.random() < 0.5:
        spectrum *= (freqs > 300) & (freqs < 3400)
        return np.fft.irfft(spectrum, len(samples)).astype(np.float32)
    cut = rng.uniform(150, 400)
    tilt = rng.uniform(-6, 6)  # dB from 1 kHz to 8 kHz
    gain = np.where(freqs < cut, (freqs / cut) ** 2, 1.0)
    gain *= 10 ** (tilt * np.log2(np.maximum(freqs, 1000) / 1000) / 3 / 20)
    out = np.fft.irfft(spectrum * gain, len(samples))
    drive = rng.uniform(1, 4)
    return (np.tanh(out * drive / (np.max(np.abs(out)) + 1e-9)) / np.tanh(drive)
            * np.max(np.abs(out))).astype(np.float32)  # fmt: skip


class Augmenter:
    """Turns clean speech into a microphone's view of it."""

    def __init__(self, rng: np.random.Generator, babble: list[np.ndarray]) -> None:
        self.rng = rng
        self.noises = Noises(rng, [])
        self.babble = babble

    def noise(self, kind: str, length: int) -> np.ndarray:
        rng = self.rng
        t = np.arange(length) / SAMPLE_RATE
        if kind == "hum":
            mains = rng.choice([50.0, 60.0])
            phase = rng.uniform(0, 6, 8)
            out = sum(rng.uniform(0.2, 1) / h * np.sin(2 * np.pi * mains * h * t + phase[h])
                      for h in range(1, 8))  # fmt: skip
            out = np.asarray(out) + 0.05 * rng.normal(0, 1, length)
        elif kind == "fan":
            brown = np.cumsum(rng.normal(0, 1, length))
            brown -= np.convolve(brown, np.ones(801) / 801, mode="same")  # no drift
            blade = 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(15, 40) * t)
            out = brown * blade + 0.3 * self.noises.make("pink", length)
        elif kind == "babble":
            out = np.zeros(length)
            for _ in range(int(rng.integers(3, 7))):  # several talkers at once
                talker = self.babble[int(rng.integers(len(self.babble)))]
                start = int(rng.integers(0, max(1, len(talker) - length)))
                part = np.resize(talker[start:], length)
                out += part / (np.sqrt(np.mean(part**2)) + 1e-9)
        else:
            out = self.noises.make(kind, length)
        return (out / (np.sqrt(np.mean(out**2)) + 1e-12)).astype(np.float32)

    def __call__(self, speech: np.ndarray) -> np.ndarray:
        rng = self.rng
        speech = stretched(speech, float(rng.uniform(0.88, 1.12)))
        if rng.random() < 0.5:
            speech = reverb(speech, float(rng.uniform(0.15, 0.8)), rng)
        if rng.random() < 0.25:
            speech = coloured(speech, rng)
        before = np.zeros(int(rng.uniform(0.1, 0.4) * SAMPLE_RATE), np.float32)
        after = np.zeros(int(rng.uniform(0.1, 0.3) * SAMPLE_RATE), np.float32)
        level = 10 ** (rng.uniform(-38, -14) / 20) / (active_rms(speech) + 1e-12)
        clip = np.concatenate([before, speech * level, after])
        snr = SNRS[int(rng.integers(len(SNRS)))]
        floor = 10 ** (rng.uniform(-75, -60) / 20) * rng.normal(0, 1, len(clip))
        clip = clip + floor
        if snr is not None:
            kind = NOISES[int(rng.integers(len(NOISES)))]
            clip += self.noise(kind, len(clip)) * active_rms(speech * level) / 10 ** (snr / 20)
        peak = np.max(np.abs(clip))
        return (clip / peak * 0.9 if peak > 0.9 else clip).astype(np.float32)

    def clean(self, speech: np.ndarray) -> np.ndarray:
        """As said into a good microphone in a quiet room, at a random level."""
        rng = self.rng
        level = 10 ** (rng.uniform(-32, -16) / 20) / (active_rms(speech) + 1e-12)
        margin = np.zeros(int(0.25 * SAMPLE_RATE), np.float32)
        clip = np.concatenate([margin, speech * level, margin])
        return (clip + 10 ** (-70 / 20) * rng.normal(0, 1, len(clip))).astype(np.float32)
