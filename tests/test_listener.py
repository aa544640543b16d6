"""The listener's own rules (cuts when the coach starts or stops talking, resets), with a fake
segmenter and a fake recogniser at the ports: no speech engine, no voice. What the real
recognisers hear is tested end to end in test_listening_e2e.py and test_verifier.py."""

from __future__ import annotations

import numpy as np

from tests.listening_helpers import feed, new_listener, quiet
from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.commands import Intent
from voice_coach.listening.stt.base import Recognition

FRAME = 0.03
LOUD = 0.01
"""RMS (full scale 1) above which the fake segmenter takes a frame for speech (-40 dBFS)."""


class LevelSegmenter:
    """Speech is any 30 ms frame louder than -40 dBFS; it ends after ``window`` of quieter
    ones. Times count in frames processed since it was made."""

    frame_bytes = round(FRAME * SAMPLE_RATE) * 2
    frame_seconds = FRAME
    window = 0.24

    def __init__(self) -> None:
        self.processed = 0
        self.in_speech = False
        self.speech_start = 0.0
        self.speech_end = 0.0
        self.restarts = 0
        self.voiced = False
        self._quiet = 0

    def process(self, frame: bytes) -> None:
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768
        at = self.processed * FRAME
        self.processed += 1
        self.voiced = bool(np.sqrt(np.mean(samples**2)) > LOUD)
        if self.voiced:
            if not self.in_speech:
                self.in_speech, self.speech_start = True, at
            self.speech_end, self._quiet = at + FRAME, 0
        elif self.in_speech:
            self._quiet += 1
            if self._quiet * FRAME >= self.window:
                self.in_speech = False

    def restart(self, quiet: bytes) -> None:
        self.in_speech, self._quiet = False, 0
        self.restarts += 1


class LoudnessRecognizer:
    """Hears "next" in anything with a loud stretch in it; records what it was given."""

    name = "fake"
    locale = "en"
    model_path = None
    checked = False
    wants_cleaned = False

    def __init__(self) -> None:
        self.heard: list[float] = []

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
        loud = float(np.mean(np.abs(samples) > 0.05)) * len(samples) / SAMPLE_RATE
        self.heard.append(loud)
        return Recognition("next", 1.0) if loud > 0.1 and "next" in phrases else None

    def known(self, phrase: str) -> bool:
        return True


def word(seconds: float = 0.45) -> bytes:
    """A loud stretch (about -12 dBFS noise) standing in for a spoken word."""
    noise = np.random.default_rng(7).normal(0, 8000, round(seconds * SAMPLE_RATE))
    return np.clip(noise, -32768, 32767).astype("<i2").tobytes()


def listener_with(speaking=lambda start, end: None):
    return new_listener(LoudnessRecognizer(), speaking, LevelSegmenter())


def test_a_word_in_a_quiet_room_is_heard_once_with_its_times():
    listener = listener_with()
    heard = feed(listener, quiet(0.5) + word() + quiet(0.6))
    assert [u.text for u in heard] == ["next"]
    assert 0.45 <= heard[0].start <= 0.55 and 0.9 <= heard[0].end <= 1.0


def test_the_coach_starting_to_talk_ends_what_was_being_heard():
    talking_from = [float("inf")]

    def speaking(start: float, end: float) -> str | None:
        return "Rub the arch." if end > talking_from[0] else None

    listener = listener_with(speaking)
    heard = feed(listener, quiet(0.5))
    talking_from[0] = listener.now + 0.45 + 0.05
    heard += feed(listener, word() + quiet(0.3))
    # The word is decided at the cut, not left to run into the coach's own voice.
    assert [u.text for u in heard] == ["next"]
    assert heard[0].end <= talking_from[0] + listener.frame_seconds


def test_words_after_the_coach_has_talked_are_heard_in_a_quiet_room():
    talking = (1.0, 3.0)

    def speaking(start: float, end: float) -> str | None:
        return "Rub the arch." if start < talking[1] and end > talking[0] else None

    listener = listener_with(speaking)
    heard = []
    for _ in range(3):  # the coach talks, falls silent, and the person speaks; three times over
        heard += feed(listener, quiet(talking[1] + 1.0 - listener.now) + word())
        heard += feed(listener, quiet(1.0))
        talking = (listener.now + 1.0, listener.now + 3.0)
    assert [u.text for u in heard] == ["next"] * 3
    assert all(u.end - u.start < 1.0 for u in heard)


def test_the_coach_s_own_words_while_it_talks_are_not_taken():
    listener = listener_with(lambda start, end: "Next.")  # the coach is always talking
    assert [u.command for u in feed(listener, quiet(0.5) + word() + quiet(1.0))] == [None]


def test_after_a_reset_a_half_heard_word_is_dropped_and_the_next_one_heard():
    listener = listener_with()
    assert feed(listener, quiet(0.5) + word(0.2)) == []
    listener.reset()
    assert listener.segmenter.restarts == 1
    assert feed(listener, quiet(1.5)) == []
    heard = []
    for _ in range(3):
        began = listener.now
        heard += feed(listener, quiet(0.5) + word() + quiet(1.0))
        assert began + 0.4 < heard[-1].start < began + 0.6
        listener.reset()
    assert [u.text for u in heard] == ["next"] * 3


def test_a_long_stretch_of_talk_is_not_decoded_at_all():
    recognizer = LoudnessRecognizer()
    listener = new_listener(recognizer, segmenter=LevelSegmenter())
    heard = feed(listener, quiet(0.5) + word(5.0) + quiet(1.0))
    assert [u.command for u in heard] == [None] and recognizer.heard == []


class LengthRecognizer:
    """Hears a short loud stretch as "stop" and a longer one as "say that again": a phrase whose
    first syllables sound like "stop"."""

    name = "fake"
    locale = "en"
    model_path = None
    checked = False
    wants_cleaned = False

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
        loud = float(np.mean(np.abs(samples) > 0.05)) * len(samples) / SAMPLE_RATE
        return Recognition("stop" if loud < 0.5 else "say that again", 1.0)

    def known(self, phrase: str) -> bool:
        return True


def stop_listener() -> object:
    listener = new_listener(LengthRecognizer(), segmenter=LevelSegmenter())
    listener.intents = frozenset({Intent.STOP, Intent.REPEAT})
    return listener


def test_a_pause_inside_a_phrase_does_not_make_its_first_piece_a_command():
    listener = stop_listener()
    # "say that" ... "again": a pause just longer than the segmenter's window cuts it in two.
    heard = feed(listener, quiet(0.5) + word(0.3) + quiet(0.27) + word(0.4) + quiet(1.0))
    assert [u.command.intent for u in heard if u.command] == [Intent.REPEAT]
    assert len(heard) == 1 and heard[0].start < 0.6 and heard[0].end > 1.4


def test_a_word_said_alone_is_decided_soon_after_it_ends():
    # Held back a moment in case more follows, but no longer than the segmenter's window
    # (0.24 s) plus the continuation wait (0.09 s), to within a frame.
    assert feed(stop_listener(), quiet(0.5) + word(0.3) + quiet(0.27)) == []
    heard = feed(stop_listener(), quiet(0.5) + word(0.3) + quiet(0.39))
    assert [u.command.intent for u in heard if u.command] == [Intent.STOP]


def test_a_second_command_after_a_real_pause_is_its_own():
    listener = stop_listener()
    heard = feed(listener, quiet(0.5) + word(0.3) + quiet(0.8) + word(0.7) + quiet(1.0))
    assert [u.command.intent for u in heard if u.command] == [Intent.STOP, Intent.REPEAT]
