"""Looking at audio in tests: loudness over time, and recognising words with pocketsphinx."""

from __future__ import annotations

import numpy as np
from pocketsphinx import Decoder

from voice_coach.audio.pcm import Audio

FRAME = 0.05


def frame_levels(audio: Audio, frame: float = FRAME) -> np.ndarray:
    """RMS level in dBFS of each ``frame``-second slice (audio is resampled to 16 kHz first, so
    that a frame is a whole number of samples and frame k starts exactly at k * frame)."""
    audio = audio.resampled(16000)
    size = round(frame * 16000)
    count = len(audio.samples) // size
    frames = audio.samples[: count * size].reshape(count, size).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def recognise(audio: Audio, phrases: list[str]) -> str | None:
    """What pocketsphinx's English model hears, restricted to ``phrases``."""
    grammar = "#JSGF V1.0;\ngrammar test;\npublic <phrase> = " + " | ".join(
        f"( {p} )" for p in phrases) + ";\n"  # fmt: skip
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.add_jsgf_string("test", grammar)
    decoder.activate_search("test")
    # As a microphone hears it: half a second of room either side, and a quiet room's noise
    # (-50 dBFS) under it all. Synthetic speech has stretches of exact digital zero, which no
    # microphone produces and which throw the recogniser's feature normalisation off.
    samples = audio.resampled(16000).samples
    pause = np.zeros(8000, dtype=np.float32)
    padded = np.concatenate([pause, samples, pause])
    noise = np.random.default_rng(0).normal(0.0, 10 ** (-50 / 20), len(padded))
    decoder.start_utt()
    decoder.process_raw(Audio((padded + noise).astype(np.float32), 16000).to_int16(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else None
