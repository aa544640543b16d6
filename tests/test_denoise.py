"""The clean-up each utterance gets before pocketsphinx decodes it."""

from __future__ import annotations

import numpy as np

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.listening.denoise import denoised
from voice_coach.listening.listener import TRIM_AFTER, TRIM_BEFORE, cleaned


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x**2))))


def voice_like(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Harmonics of a wavering pitch under a syllable-rate envelope: loud, but not steady."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = 140 + 30 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    tone = sum(np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 12))
    return 4000 * tone * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2)


def test_steady_noise_is_turned_down_and_the_voice_kept():
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 300, 2 * SAMPLE_RATE)
    voice = np.zeros_like(noise)
    middle = slice(SAMPLE_RATE // 2, SAMPLE_RATE)
    voice[middle] = voice_like(0.5, rng)
    out = denoised(noise + voice, SAMPLE_RATE)
    assert len(out) == len(noise)
    quiet = slice(int(1.3 * SAMPLE_RATE), 2 * SAMPLE_RATE)
    noise_drop = rms_db(noise[quiet]) - rms_db(out[quiet])
    voice_drop = rms_db(voice[middle] + noise[middle]) - rms_db(out[middle])
    assert noise_drop > 10
    assert voice_drop < 6
    assert noise_drop - voice_drop > 5  # the voice stands out more than it did


def test_cleaned_keeps_the_loud_part_with_a_margin_either_side():
    rng = np.random.default_rng(2)
    quiet = rng.normal(0, 30, SAMPLE_RATE)
    samples = np.concatenate([quiet, voice_like(0.5, rng), quiet])
    pcm = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
    kept = len(cleaned(pcm)) / 2 / SAMPLE_RATE
    assert abs(kept - (0.5 + TRIM_BEFORE + TRIM_AFTER)) < 0.03


def test_cleaning_too_little_audio_to_judge_returns_it():
    assert cleaned(b"\x01\x00" * 100) == b"\x01\x00" * 100
