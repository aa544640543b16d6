"""A soft chime made from sine partials, so no sound files need to ship or be downloaded."""

from __future__ import annotations

import numpy as np

from voice_coach.audio.pcm import Audio

# A hold starts on a rising pair of notes and ends on a falling pair (A5/E6 and E6/A5).
_NOTES = {"hold-start": (880.0, 1318.5), "hold-end": (1318.5, 880.0)}


def chime(kind: str, rate: int, level_dbfs: float = -20.0) -> Audio:
    """Two soft bell notes, 0.18 s apart, each decaying over about half a second."""
    first, second = _NOTES[kind]
    note_seconds, gap = 0.6, 0.18
    t = np.arange(round(note_seconds * rate)) / rate
    envelope = np.exp(-t * 7.0) * np.minimum(1.0, t / 0.005)  # 5 ms attack: no click

    def bell(freq: float) -> np.ndarray:
        return envelope * (
            np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(2 * np.pi * 2.76 * freq * t)
        )

    out = np.zeros(round((gap + note_seconds) * rate))
    out[: len(t)] += bell(first)
    start = round(gap * rate)
    out[start : start + len(t)] += bell(second)
    out *= 10 ** (level_dbfs / 20) / np.max(np.abs(out))
    return Audio(out.astype(np.float32), rate)
