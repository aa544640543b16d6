"""Taking the coach's own voice out of the microphone: the played audio (the playback log) is
the reference for speexdsp's echo canceller (``audio/speexdsp.py``).

The reference is rebuilt at 16 kHz on the session clock from the blocks the speaker logged as it
played them; blocks follow each other without a seam while they come steadily, and a jump of
more than ``RESYNC`` re-places them by their time stamps (a sound card restarting). The
microphone frame at session time ``t`` is matched with what was played from ``t + LEAD``: the
adaptive filter (``FILTER`` long) then finds the room's delay and echo path, as long as the echo
reaches the microphone between ``LEAD`` before and ``FILTER - LEAD`` after its time stamp (the
filter can only model an echo that comes after its reference).
While nothing has been played for ``FILTER`` seconds, frames pass through untouched.
"""

from __future__ import annotations

import numpy as np
import soxr

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.audio.speexdsp import SpeexEchoCanceller
from voice_coach.ports import Playback

BLOCK = SAMPLE_RATE // 100
"""Samples the canceller works on at a time (10 ms)."""
FILTER = 0.3
"""Seconds of echo path the adaptive filter models (room delay, device buffers, reverberation)."""
LEAD = 0.1
"""Seconds by which the reference runs ahead of the microphone: the echo may seem to arrive this
much before its time stamp (the two devices' latencies are only estimates)."""
RESYNC = 0.25
"""A block this far (seconds) from where the last one ended is placed by its time stamp."""
KEEP = 2.0
"""Seconds of reference kept."""


class Reference:
    """What the coach played, at 16 kHz, on the session clock."""

    def __init__(self, playback: Playback) -> None:
        self.playback = playback
        self._samples = np.zeros(0, np.float32)
        self._start = 0.0
        """Session time of ``_samples[0]``."""
        self._next: int | None = None
        """Where the next block goes when it follows on (an index into ``_samples``)."""
        self._fed = -np.inf
        self._resampler: soxr.ResampleStream | None = None
        self._rate = SAMPLE_RATE
        self.last_played = -np.inf
        """Session time when the last sound (not silence) that was played ended."""

    def between(self, start: float, end: float) -> np.ndarray:
        """The played audio from ``start`` for ``round((end - start) * 16000)`` samples (int16),
        silence where nothing was played."""
        self._update(end)
        count = round((end - start) * SAMPLE_RATE)
        first = round((start - self._start) * SAMPLE_RATE)
        out = np.zeros(count, np.float32)
        lo, hi = max(first, 0), min(first + count, len(self._samples))
        if hi > lo:
            out[lo - first : hi - first] = self._samples[lo:hi]
        return (np.clip(out, -1, 1) * 32767).astype(np.int16)

    def _update(self, until: float) -> None:
        for block in self.playback.audio(self._fed, until + 1.0):
            if block.start < self._fed - 1e-6 or not block.samples:
                continue
            samples = np.frombuffer(block.samples, "<f4")
            if block.rate != SAMPLE_RATE:
                if self._resampler is None or self._rate != block.rate:
                    self._resampler = soxr.ResampleStream(block.rate, SAMPLE_RATE, 1, "float32")
                    self._rate = block.rate
                samples = self._resampler.resample_chunk(samples)
            if np.any(samples):
                self.last_played = block.end
            if not len(self._samples):
                self._start = block.start
            at = round((block.start - self._start) * SAMPLE_RATE)
            if self._next is not None and abs(at - self._next) < RESYNC * SAMPLE_RATE:
                at = self._next
            self._place(samples, at)
            self._fed = block.end

    def _place(self, samples: np.ndarray, at: int) -> None:
        if at < 0:
            samples, at = samples[-at:], 0
        if at + len(samples) > len(self._samples):
            grown = np.zeros(at + len(samples), np.float32)
            grown[: len(self._samples)] = self._samples
            self._samples = grown
        self._samples[at : at + len(samples)] = samples
        self._next = at + len(samples)
        drop = len(self._samples) - round(KEEP * SAMPLE_RATE)
        if drop > 0:
            self._samples = self._samples[drop:]
            self._start += drop / SAMPLE_RATE
            self._next -= drop


class EchoCanceller:
    """Cleans microphone frames (16 kHz, 16-bit) of the coach's voice."""

    def __init__(self, playback: Playback) -> None:
        self.reference = Reference(playback)
        self._speex = SpeexEchoCanceller(BLOCK, round(FILTER * SAMPLE_RATE), SAMPLE_RATE)

    def clean(self, frame: bytes, end: float) -> bytes:
        """The frame heard up to session time ``end``, without the echo of what was played."""
        mic = np.frombuffer(frame, "<i2")
        start = end - len(mic) / SAMPLE_RATE
        reference = self.reference.between(start + LEAD, end + LEAD)
        if start + LEAD > self.reference.last_played + FILTER:
            return frame  # nothing played for a while: no echo to take out
        blocks = len(mic) // BLOCK
        out = [self._speex.process(mic[i * BLOCK : (i + 1) * BLOCK],
                                   reference[i * BLOCK : (i + 1) * BLOCK])
               for i in range(blocks)]  # fmt: skip
        return np.concatenate([*out, mic[blocks * BLOCK :]]).astype("<i2").tobytes()

    def close(self) -> None:
        self._speex.close()
