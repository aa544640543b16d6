"""Taking the coach's own voice out of the microphone: the played audio (the playback log) is
the reference for speexdsp's echo canceller (``audio/speexdsp.py``).

The reference is rebuilt at 16 kHz on the session clock from the blocks the speaker logged as it
played them. A sound card hands blocks out in bursts, so their time stamps jitter by tens of
milliseconds while the samples themselves follow each other exactly: blocks are laid end to end,
and only one that lands more than ``RESYNC`` from where the last ended is placed by its time
stamp (a sound card restarting, or a pause in a virtual run).

Where the echo really is, no time stamp says exactly: device latencies are estimates, and a
sound server that runs dry (an underrun) delays everything after it. So the echo's delay is
measured from the signals themselves (:class:`DelayEstimator`), and the microphone frame at
session time ``t`` is matched with what was played from ``t - delay + LEAD``: the adaptive filter
(``FILTER`` long) then models the room, as long as the echo reaches the microphone between
``LEAD`` before and ``FILTER - LEAD`` after the measured delay. While nothing has been played
for ``FILTER`` seconds, frames pass through untouched.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import soxr
from numpy.lib.stride_tricks import sliding_window_view

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.audio.speexdsp import SpeexEchoCanceller
from voice_coach.ports import Playback

BLOCK = SAMPLE_RATE // 100
"""Samples the canceller works on at a time (10 ms)."""
FILTER = 0.25
"""Seconds of echo path the adaptive filter models (reverberation, and what the delay
estimate misses)."""
LEAD = 0.05
"""Seconds by which the reference runs ahead of the measured delay. Kept short: the reference
must already have been handed to the sound card when the microphone frame arrives (through
PulseAudio it is 100 to 190 ms ahead of the echo by then, with the speaker's 0.1 s buffer)."""
RESYNC = 0.25
"""A block this far (seconds) from where the last one ended is placed by its time stamp."""
KEEP = 4.0
"""Seconds of reference kept (what was heard over the coach is checked against it)."""
AHEAD = 0.5
"""Seconds of reference taken in beyond what is asked for."""
WINDOW = 1.0
"""Seconds of microphone audio the delay is measured on."""
MAX_DELAY = 0.6
"""The echo is looked for this far (seconds) either side of its time stamp."""
MEASURE_EVERY = 0.5
"""Seconds between two measurements of the delay, while the coach plays."""
MATCH = 0.5
"""Normalised correlation above which the echo is taken to have been found."""
SETTLE = 1.0
"""Seconds the filter takes to learn the room again after the delay moved."""
WORKING = 12.0
"""dB of echo the canceller must have been taking out (the median over ``JUDGED`` frames in which
the microphone heard something) for its output to be trusted to hold only the person."""
JUDGED = 40
"""Recent frames over which that is judged (about a second)."""
HEARD = 0.005
"""Level (RMS, full scale 1) above which a frame counts as having heard something."""


class Reference:
    """What the coach played, at 16 kHz, on the session clock (sample ``i`` at ``i / 16000``)."""

    def __init__(self, playback: Playback) -> None:
        self.playback = playback
        self._samples = np.zeros(0, np.float32)
        self._first = 0
        """Session sample of ``_samples[0]``."""
        self._next: int | None = None
        """Session sample where the next block goes when it follows on."""
        self._seen = 0
        """The last block of the playback log taken in."""
        self._resampler: soxr.ResampleStream | None = None
        self._rate = SAMPLE_RATE
        self.last_played = -np.inf
        """Session time when the last sound (not silence) that was played ended."""

    def samples(self, first: int, count: int) -> np.ndarray:
        """``count`` samples (float, full scale 1) from session sample ``first``, silence
        where nothing was played."""
        self._update((first + count) / SAMPLE_RATE + AHEAD)
        out = np.zeros(count, np.float32)
        lo = max(first, self._first)
        hi = min(first + count, self._first + len(self._samples))
        if hi > lo:
            out[lo - first : hi - first] = self._samples[lo - self._first : hi - self._first]
        return out

    def _update(self, until: float) -> None:
        """Take in the blocks played up to session time ``until`` (a virtual run logs a whole
        line at once, longer than the reference keeps)."""
        for block in self.playback.audio_after(self._seen):
            if block.start > until:
                break
            self._seen = block.index
            samples = np.frombuffer(block.samples, "<f4")
            if block.rate != SAMPLE_RATE:
                if self._resampler is None or self._rate != block.rate:
                    self._resampler = soxr.ResampleStream(block.rate, SAMPLE_RATE, 1, "float32")
                    self._rate = block.rate
                samples = self._resampler.resample_chunk(samples)
            if np.any(samples):
                self.last_played = block.end
            at = round(block.start * SAMPLE_RATE)
            if self._next is not None and abs(at - self._next) < RESYNC * SAMPLE_RATE:
                at = self._next
            self._place(samples, at)

    def _place(self, samples: np.ndarray, at: int) -> None:
        ends = self._first + len(self._samples)
        if not len(self._samples) or not self._first <= at < ends + KEEP * SAMPLE_RATE:
            self._samples, self._first = np.zeros(0, np.float32), at  # a first or a long pause
        end = at - self._first + len(samples)
        if end > len(self._samples):
            grown = np.zeros(end, np.float32)
            grown[: len(self._samples)] = self._samples
            self._samples = grown
        self._samples[at - self._first : end] = samples
        self._next = at + len(samples)
        drop = len(self._samples) - round(KEEP * SAMPLE_RATE)
        if drop > 0:
            self._samples = self._samples[drop:]
            self._first += drop


class DelayEstimator:
    """How late the echo reaches the microphone after its time stamp: the lag at which the
    last ``WINDOW`` seconds of the microphone best match the reference (generalised
    cross-correlation with phase transform, the classic estimator for speech: its peak stays
    sharp in a reverberant room). A lag is taken only when the two match well there, so a
    person talking over the coach, or a room with no echo at all, leaves the delay as it was."""

    def __init__(self) -> None:
        self.delay = 0.0
        """Seconds from a sample's time stamp to when it is heard; 0 until first measured."""
        self.found = False
        """Whether the echo has been found at all."""

    def measure(self, microphone: np.ndarray, reference: np.ndarray) -> bool:
        """``microphone``: the last ``WINDOW`` s; ``reference``: what was played from
        ``MAX_DELAY`` before the window to ``MAX_DELAY`` after it. True when the delay moved."""
        size = 1 << (len(reference) + len(microphone)).bit_length()
        spectrum = np.fft.rfft(reference, size) * np.conj(np.fft.rfft(microphone, size))
        correlation = np.fft.irfft(spectrum / (np.abs(spectrum) + 1e-9), size)
        shift = round(MAX_DELAY * SAMPLE_RATE)
        lags = correlation[: 2 * shift + 1]  # reference offset k: echo delay MAX_DELAY - k
        best = int(np.argmax(lags))
        matched = reference[best : best + len(microphone)]
        norm = float(np.linalg.norm(matched) * np.linalg.norm(microphone))
        if norm == 0 or float(np.dot(matched, microphone)) / norm < MATCH:
            return False
        delay = (shift - best) / SAMPLE_RATE
        # The filter covers the echo from LEAD before the delay in use to FILTER - LEAD after:
        # a delay well inside that needs no move (and no relearning).
        if self.found and -LEAD / 2 <= delay - self.delay <= (FILTER - LEAD) / 2:
            return False
        self.found = True
        self.delay = delay
        return True


class EchoCanceller:
    """Cleans microphone frames (16 kHz, 16-bit) of the coach's voice."""

    def __init__(self, playback: Playback) -> None:
        self.reference = Reference(playback)
        self.estimator = DelayEstimator()
        self._speex = SpeexEchoCanceller(BLOCK, round(FILTER * SAMPLE_RATE), SAMPLE_RATE)
        self._heard: deque[np.ndarray] = deque()
        self._held = 0
        self._measured = -np.inf
        self._cursor: int | None = None
        """Session sample of the reference for the next frame."""
        self._moved = -np.inf
        """Session time when the delay last moved."""
        self._taken: deque[float] = deque(maxlen=JUDGED)
        """dB taken out of each recent frame that heard something while the coach played."""

    def cancelling(self, at: float) -> bool:
        """Whether what comes out at ``at`` holds little of the coach's voice: the echo found,
        the filter given time to learn it, and most of it taken out of the recent frames (a
        sound server that ran dry moves the echo, and until the move is measured the filter
        takes out nothing)."""
        if not self.estimator.found or at - self._moved <= SETTLE:
            return False
        return len(self._taken) == JUDGED and float(np.median(self._taken)) >= WORKING

    def clean(self, frame: bytes, end: float) -> bytes:
        """The frame heard up to session time ``end``, without the echo of what was played."""
        mic = np.frombuffer(frame, "<i2")
        self._remember(mic)
        if end - self._measured > MEASURE_EVERY and end < self.reference.last_played + FILTER:
            self._measure(end)
        want = round((end + LEAD - self.estimator.delay) * SAMPLE_RATE) - len(mic)
        if self._cursor is None or abs(want - self._cursor) > 2:
            self._cursor = want  # follows on exactly while the clocks agree to a sample or two
        reference = self.reference.samples(self._cursor, len(mic))
        self._cursor += len(mic)
        if end - len(mic) / SAMPLE_RATE + LEAD > self.reference.last_played + FILTER + max(
            self.estimator.delay, 0.0
        ):
            return frame  # nothing played for a while: no echo to take out
        pcm = (np.clip(reference, -1, 1) * 32767).astype(np.int16)
        blocks = len(mic) // BLOCK
        out = [self._speex.process(mic[i * BLOCK : (i + 1) * BLOCK],
                                   pcm[i * BLOCK : (i + 1) * BLOCK])
               for i in range(blocks)]  # fmt: skip
        cleaned = np.concatenate([*out, mic[blocks * BLOCK :]]).astype("<i2")
        before = float(np.mean(mic.astype(np.float64) ** 2))
        if before > (HEARD * 32768) ** 2:
            after = float(np.mean(cleaned.astype(np.float64) ** 2))
            self._taken.append(10 * np.log10(before / (after + 1.0)))
        return cleaned.tobytes()

    def echo_left(self, pcm: bytes, start: float) -> float:
        """How much of the audio ``pcm`` (16-bit, from session time ``start``) is what the coach
        played, however the room and the canceller filtered it: the magnitude-squared coherence
        with the reference at the measured delay, over 64 ms frames and the speech band,
        weighted by the audio's power (0: none of it; 1: all of it)."""
        heard = np.frombuffer(pcm, "<i2").astype(np.float64) / 32768
        size = 1024
        if len(heard) < 2 * size:
            heard = np.concatenate([heard, np.zeros(2 * size - len(heard))])
        first = round((start - self.estimator.delay) * SAMPLE_RATE)
        played = self.reference.samples(first, len(heard)).astype(np.float64)
        window = np.hanning(size)
        x, r = (np.fft.rfft(sliding_window_view(signal, size)[:: size // 2] * window, axis=1)
                for signal in (heard, played))  # fmt: skip
        band = slice(size * 200 // SAMPLE_RATE, size * 4000 // SAMPLE_RATE)
        x, r = x[:, band], r[:, band]
        cross = np.abs(np.sum(x * np.conj(r), axis=0)) ** 2
        power = np.sum(np.abs(x) ** 2, axis=0) * np.sum(np.abs(r) ** 2, axis=0)
        coherence = cross / np.maximum(power, 1e-20)
        weight = np.sum(np.abs(x) ** 2, axis=0)
        return float(np.sum(coherence * weight) / max(float(np.sum(weight)), 1e-20))

    def _remember(self, mic: np.ndarray) -> None:
        self._heard.append(mic)
        self._held += len(mic)
        while self._held - len(self._heard[0]) >= WINDOW * SAMPLE_RATE:
            self._held -= len(self._heard.popleft())

    def _measure(self, end: float) -> None:
        self._measured = end
        heard = np.concatenate(self._heard)[-round(WINDOW * SAMPLE_RATE) :].astype(np.float32)
        if len(heard) < WINDOW * SAMPLE_RATE or not np.any(heard):
            return
        first = round((end - WINDOW - MAX_DELAY) * SAMPLE_RATE)
        played = self.reference.samples(first, len(heard) + round(2 * MAX_DELAY * SAMPLE_RATE))
        if np.any(played) and self.estimator.measure(heard / 32768, played):
            self._speex.reset()  # the filter learnt the echo at the old delay
            self._moved = end

    def close(self) -> None:
        self._speex.close()
