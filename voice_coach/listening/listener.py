"""From microphone frames to commands: endpointing, recognition, and the rules that keep the
coach from obeying the TV, chatter, or its own voice.

- A voice-activity endpointer (pocketsphinx's, WebRTC-style) cuts the audio into utterances.
  Utterances longer than a command can be are not decoded at all.
- The recogniser only listens for the phrases that make sense in the session's state.
- An utterance is only acted on once it is whole: after the endpointer's end of speech, the
  listener waits a moment (``CONTINUATION``); if the person goes on talking, the piece is
  dropped and the whole is decoded when it ends ("say that" of "say that again" is never
  obeyed as "stop").
- While the coach is talking (and for a moment after, while its voice dies away in the room) only
  the barge-in phrases count ("stop", "pause"), with a stricter confidence, and a phrase is
  ignored when the coach was saying those very words. The person is found by what stands out
  of the coach's echo (``over_coach.py``); what stood out only once the echo was cancelled,
  and still follows what the coach played, is the coach's own voice.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from voice_coach.audio.pcm import SAMPLE_RATE, room_noise
from voice_coach.core.commands import Command, Intent, PhraseBook, normalise
from voice_coach.core.states import BARGE_IN
from voice_coach.listening.denoise import denoised
from voice_coach.listening.echo import EchoCanceller
from voice_coach.listening.over_coach import MAX_BARGE_IN_SECONDS, OverCoach, Stretch
from voice_coach.listening.segmenter import EndpointerSegmenter
from voice_coach.listening.stt.base import Recognizer
from voice_coach.ports import Playback, Segmenter

log = logging.getLogger(__name__)

MAX_COMMAND_SECONDS = 3.0
"""Longer utterances are talk, not commands: not decoded at all."""
MIN_COMMAND_SECONDS = 0.15
"""Shorter ones are clicks and knocks."""
DRIFT = 0.1
"""Seconds by which time counted in samples may drift from a real microphone's stamps before
it is set by them (the stamps themselves jitter by a callback block)."""
REFERENCE_SLACK = 0.3
"""Seconds either side within which the microphone and the played audio are matched: their
clocks are only roughly aligned (device buffers), and the room delays the echo. Over-speech is
only looked for once the coach has been talking this long."""
ECHO_LEFT = 0.3
"""Coherence with what was played above which audio found over the coach is its own voice
(what speexdsp leaves of the echo: 0.47 to 0.79 in the simulated room; a person: under 0.1)."""
ACCEPT = 0.5
"""Confidence needed for a command."""
ACCEPT_OVER_SPEECH = 0.8
"""Confidence needed while the coach is talking."""
ECHO_HOLD_OFF = 0.4
"""Seconds after the coach falls silent during which its voice may still be heard in the room."""
PRE_ROLL = 0.25
"""Audio kept from before the endpointer's start of speech."""
POST_ROLL = 0.15
"""And from after its end."""
TRIM_DB = 14.0
"""Before decoding, an utterance is cut down to its 10 ms frames within this many decibels of
its loudest: the endpointer keeps the room noise around a word, which the grammar then has to
explain as words (the value: docs/decisions.md)."""
TRIM_BEFORE = 0.1
"""Seconds kept before the first such frame (a soft onset; why not more: docs/decisions.md)."""
TRIM_AFTER = 0.15
"""And after the last (a fading "p" or "s")."""
CONTINUATION = 0.09
"""Seconds after the endpointer's end of speech during which a voiced frame means the person is
still talking: the decision waits for the rest. The decoding runs meanwhile, so this costs less
latency than it adds. Pauses up to the endpointer's window plus this are bridged (0.33 s);
longer ones make two utterances, of which the spotter is trained to take a piece as nothing."""
PAD_SECONDS = 0.25
"""Quiet room noise put around an utterance before decoding (recognisers settle on it)."""


@dataclass(frozen=True)
class Utterance:
    """Something heard: the command it is (or None) and, when ignored, why."""

    start: float
    end: float
    text: str
    confidence: float
    command: Command | None
    ignored: str | None = None
    decided: tuple[float, float] = (0.0, 0.0)
    """When deciding began (session time) and how many seconds of computing it took: with the
    decision held back (``CONTINUATION``), the time it was handed over alone can understate
    the latency."""


class Listener:
    """Feed 16 kHz 16-bit mono frames in; get :class:`Utterance` objects out."""

    def __init__(self, recognizer: Recognizer, phrases: PhraseBook, playback: Playback,
                 start: float = 0.0, segmenter: Segmenter | None = None,
                 canceller: EchoCanceller | None = None) -> None:  # fmt: skip
        self.recognizer = recognizer
        self.phrases = phrases
        self.playback = playback
        """What the coach played: when it talked, and how loud (its own voice is not obeyed)."""
        self.canceller = canceller
        """Takes the coach's voice out of the microphone, when there is one."""
        self.intents: frozenset[Intent] = frozenset()
        self.segmenter = segmenter or EndpointerSegmenter()
        self._origin = start
        """Session time of the endpointer's time zero."""
        self._coach_talking = False
        self._talk_changed = start
        self._over_coach = OverCoach(self.segmenter.frame_seconds)
        self.frame_bytes = self.segmenter.frame_bytes
        self.frame_seconds = self.segmenter.frame_seconds
        self._start = start
        self._fed = 0
        keep = MAX_COMMAND_SECONDS + self.segmenter.window + PRE_ROLL + POST_ROLL + 1.0
        self._history: deque[bytes] = deque(maxlen=round(keep / self.frame_seconds))
        self._in_speech = False
        self._pending: Utterance | None = None
        """An utterance decided but held back while the person may still be talking."""
        self._pending_at = 0.0
        self._went_on = False
        """Whether a voiced frame was heard since the pending utterance ended."""
        self._joined_start: float | None = None
        """Start of the first piece, when what is being heard continues an earlier one."""
        self._noise = np.random.default_rng(0)

    @property
    def now(self) -> float:
        """Time at the end of the audio fed so far."""
        return self._start + self._fed * self.frame_seconds

    def align(self, now: float) -> None:
        """Real time: the frame just fed was heard at ``now``. A microphone can start late or
        drop audio, so time counted from samples alone drifts from the session clock, and the
        coach's own speech would be looked for at the wrong moments."""
        drift = now - self.now
        if abs(drift) > DRIFT:
            self._start += drift
            self._origin += drift

    def feed(self, frame: bytes) -> Utterance | None:
        """One frame of ``frame_bytes``; an utterance when one has just ended."""
        began = self.now
        self._fed += 1
        heard = frame
        if self.canceller is not None:
            frame = self.canceller.clean(frame, self.now)
        self._history.append(frame)
        # The coach's voice lingers in the room (and in the sound card) a moment after it stops.
        coach_talking = self.playback.speaking_between(began - ECHO_HOLD_OFF, self.now) is not None
        if coach_talking != self._coach_talking:
            # The coach started or stopped: what was being heard ends here, so that the person's
            # words and the coach's own voice never land in one utterance.
            self._coach_talking = coach_talking
            self._talk_changed = began
            cut = self._cut(began)
            if cut is not None:
                return cut
        if coach_talking and self.playback.audible:
            # While the coach talks, the microphone is full of its voice: only what rises above
            # the echo of what it played can be the person (the endpointer would hear the coach).
            if began - self._talk_changed <= REFERENCE_SLACK:
                return None
            cancelling = self.canceller is not None and self.canceller.cancelling(began)
            played = self.playback.level(began - REFERENCE_SLACK, self.now + REFERENCE_SLACK)
            stretch = self._over_coach.frame(_rms(heard), _rms(frame) if cancelling else None,
                                             played, began, self.now)  # fmt: skip
            return self._stretch(stretch) if stretch is not None else None
        self.segmenter.process(frame)
        if self.segmenter.in_speech and not self._in_speech:
            self._in_speech = True
            if self._pending is not None:  # the person went on: that was only a piece
                self._joined_start = self._pending.start
                self._pending = None
        if self._pending is not None:
            return self._held()
        if not self._in_speech or self.segmenter.in_speech:
            return None
        self._in_speech = False
        start = self._origin + self.segmenter.speech_start
        if self._joined_start is not None:
            start, self._joined_start = self._joined_start, None
        self._pending = self._utterance(start, self._origin + self.segmenter.speech_end)
        self._pending_at = self.now
        self._went_on = False
        return None

    def _held(self) -> Utterance | None:
        """The pending utterance once it is clear that nothing follows it: no voiced frame for
        ``CONTINUATION``, or, after one, no new speech for the endpointer's window."""
        self._went_on |= self.segmenter.voiced
        waited = self.now - self._pending_at
        longest = CONTINUATION + self.segmenter.window if self._went_on else CONTINUATION
        if waited < longest:
            return None
        utterance, self._pending = self._pending, None
        return utterance

    def _cut(self, at: float) -> Utterance | None:
        """End any utterance at ``at`` and start endpointing afresh."""
        utterance, self._pending = self._pending, None
        joined, self._joined_start = self._joined_start, None
        stretch = self._over_coach.flush()
        if stretch is not None:
            utterance = self._stretch(stretch)
        elif self._in_speech:
            start = self._origin + self.segmenter.speech_start if joined is None else joined
            utterance = self._utterance(start, at)
        self._restart(at)
        return utterance

    def reset(self) -> None:
        """Forget anything half heard and endpoint afresh, as between unrelated recordings."""
        self._over_coach.flush()
        self._pending = self._joined_start = None
        self._restart(self.now)

    def _restart(self, at: float) -> None:
        """Segment afresh from ``at``, its clock then reading ``at``, with the room's quietest
        recent frame as the quiet to clear it with."""
        self._in_speech = False
        quiet = min(self._history, key=_level) if self._history else bytes(self.frame_bytes)
        self.segmenter.restart(quiet)
        self._origin = at - self.segmenter.processed * self.frame_seconds

    def _audio(self, start: float, end: float) -> bytes:
        """The raw audio from a little before ``start`` to a little after ``end``: the
        endpointer decides late and can miss a soft beginning ("s" in "stop")."""
        first_kept = self._fed - len(self._history)
        begin = round((start - PRE_ROLL - self._start) / self.frame_seconds) - first_kept
        stop = round((end + POST_ROLL - self._start) / self.frame_seconds) - first_kept
        frames = list(self._history)[max(0, begin) : max(0, stop)]
        return b"".join(frames)

    def _stretch(self, stretch: Stretch) -> Utterance:
        """What was said over the coach."""
        return self._utterance(stretch.start, stretch.end, stretch.cancelled_only)

    def _utterance(self, start: float, end: float, cancelled_only: bool = False) -> Utterance:
        """What was said from ``start`` to ``end`` (``cancelled_only``: found standing out of
        the echo-cancelled signal only)."""
        began = time.perf_counter()
        utterance = self._decide(start, end, cancelled_only)
        return dataclasses.replace(utterance, decided=(self.now, time.perf_counter() - began))

    def _decide(self, start: float, end: float, cancelled_only: bool) -> Utterance:
        def ignored(why: str, text: str = "", confidence: float = 0.0) -> Utterance:
            return Utterance(start, end, text, confidence, None, why)

        if end - start > MAX_COMMAND_SECONDS:
            return ignored("too long for a command")
        if end - start < MIN_COMMAND_SECONDS:
            return ignored("too short for a command")
        spoken = self.playback.speaking_between(start - ECHO_HOLD_OFF, end)
        if spoken is not None and end - start > MAX_BARGE_IN_SECONDS:
            return ignored("too long to be said over the coach")
        intents = self.intents & BARGE_IN if spoken is not None else self.intents
        if not intents:
            return ignored("nothing to listen for now")
        audio = self._audio(start, end)
        if (
            cancelled_only
            and self.canceller is not None
            and (self.canceller.echo_left(audio, start - PRE_ROLL) > ECHO_LEFT)
        ):
            # What stood out was the coach's own voice, which the canceller had lost for a
            # moment (a sound server running dry moves the echo): it still follows what was
            # played, where a person's voice does not.
            return ignored("the coach's own voice")
        if self.recognizer.wants_cleaned:
            audio = cleaned(audio)
        audio = padded(audio, self._noise)
        result = self.recognizer.recognize(audio, self.phrases.grammar(intents))
        if result is None:
            return ignored("not a command")
        needed = ACCEPT_OVER_SPEECH if spoken is not None else ACCEPT
        if result.confidence < needed:
            return ignored("not sure enough", result.text, result.confidence)
        if spoken is not None and result.text in normalise(spoken):
            return ignored("the coach's own words", result.text, result.confidence)
        command = self.phrases.parse(result.text)
        if command is None:  # a word the locale lists as no command ("three" while counting)
            return ignored("not a command", result.text, result.confidence)
        return Utterance(start, end, result.text, result.confidence, command)


def padded(pcm: bytes, rng: np.random.Generator) -> bytes:
    """Quiet noise either side, like a room (and never digital silence, which confuses
    feature normalisation)."""
    pad = round(PAD_SECONDS * SAMPLE_RATE)
    speech = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    room = np.concatenate([np.zeros(pad, np.float32), speech, np.zeros(pad, np.float32)])
    room += room_noise(rng, len(room)) * 32768
    return np.clip(room, -32768, 32767).astype("<i2").tobytes()


def _rms(frame: bytes) -> float:
    """A frame's RMS level, full scale 1."""
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768
    return float(np.sqrt(np.mean(samples**2)))


def _level(frame: bytes) -> float:
    samples = np.frombuffer(frame, dtype="<i2").astype(np.float32)
    return float(np.mean(samples**2))


def cleaned(pcm: bytes) -> bytes:
    """``pcm`` (16 kHz 16-bit) with its steady background noise turned down, and without the
    quieter stretches at either end: from a little before its first 10 ms frame within
    ``TRIM_DB`` of the loudest to a little after the last."""
    frame = SAMPLE_RATE // 100
    count = len(pcm) // 2 // frame
    if count == 0:
        return pcm
    samples = denoised(np.frombuffer(pcm, dtype="<i2").astype(np.float64), SAMPLE_RATE)
    power = np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1)
    level = 10 * np.log10(power + 1.0)
    loud = np.flatnonzero(level > level.max() - TRIM_DB)
    first = max(0, int(loud[0]) - round(TRIM_BEFORE * 100))
    last = min(count, int(loud[-1]) + 1 + round(TRIM_AFTER * 100))
    kept = samples[first * frame : last * frame]
    return np.clip(kept, -32768, 32767).astype("<i2").tobytes()
