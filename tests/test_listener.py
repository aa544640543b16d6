"""The listener's cuts (the coach starting or stopping to talk) and resets, with real speech
and the real recogniser."""

from __future__ import annotations

import numpy as np
import pytest

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.commands import Intent
from voice_coach.listening.evaluation import context_intents
from voice_coach.listening.listener import Listener, Utterance
from voice_coach.listening.stt.sphinx import PocketSphinxRecognizer
from voice_coach.speaking.tts.natural import NaturalVoice
from voice_coach.speaking.tts.worker import WorkerVoice


def quiet(seconds: float) -> bytes:
    """A quiet room, about -70 dBFS."""
    noise = np.random.default_rng(round(seconds * 1000)).normal(0, 10, round(seconds * SAMPLE_RATE))
    return noise.astype("<i2").tobytes()


@pytest.fixture(scope="module")
def voice():
    voice = NaturalVoice()
    yield voice
    voice.close()


def said(voice: WorkerVoice, text: str) -> bytes:
    """``text`` in a quiet room: a microphone never gives digital silence (after which the
    voice activity detector takes the room's noise for speech)."""
    audio = voice.synthesize(text).resampled(SAMPLE_RATE)
    word = np.frombuffer(audio.to_int16(), dtype="<i2").astype(np.int32)
    word += np.frombuffer(quiet(audio.seconds), dtype="<i2")
    return np.clip(word, -32768, 32767).astype("<i2").tobytes()


@pytest.fixture(scope="module")
def next_please(voice) -> bytes:
    return said(voice, "Next.")


@pytest.fixture(scope="module")
def recognizer() -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer()


def feed(listener: Listener, pcm: bytes) -> list[Utterance]:
    heard = []
    for i in range(0, len(pcm) - listener.frame_bytes + 1, listener.frame_bytes):
        utterance = listener.feed(pcm[i : i + listener.frame_bytes])
        if utterance is not None:
            heard.append(utterance)
    return heard


class FakePlayback:
    """The coach's playback as a test decides it: talking whenever ``speaking`` says so, with no
    audio levels (a coach that prints its words)."""

    audible = False

    def __init__(self, speaking) -> None:
        self.speaking = speaking

    def speaking_between(self, start: float, end: float) -> str | None:
        return self.speaking(start, end)

    def level(self, start: float, end: float) -> float:
        return 0.0


def new_listener(recognizer, speaking=lambda start, end: None) -> Listener:
    phrases = phrase_book(find_routine("foot-massage", "en"))
    listener = Listener(recognizer, phrases, FakePlayback(speaking))
    listener.intents = frozenset({Intent.NEXT, Intent.BACK, Intent.REPEAT, Intent.PAUSE})
    return listener


def test_the_coach_starting_to_talk_ends_what_was_being_heard(recognizer, next_please):
    talking_from = [float("inf")]

    def speaking(start: float, end: float) -> str | None:
        return "Rub the arch." if end > talking_from[0] else None

    listener = new_listener(recognizer, speaking)
    heard = feed(listener, quiet(0.5))
    talking_from[0] = listener.now + len(next_please) / 2 / SAMPLE_RATE + 0.05
    heard += feed(listener, next_please + quiet(0.3))
    # The word is decided at the cut, not left to run into the coach's own voice.
    assert [u.text for u in heard] == ["next"]
    assert heard[0].end <= talking_from[0] + listener.frame_seconds


def test_words_after_the_coach_has_talked_are_heard_in_a_quiet_room(recognizer, next_please):
    talking = (1.0, 3.0)

    def speaking(start: float, end: float) -> str | None:
        return "Rub the arch." if start < talking[1] and end > talking[0] else None

    listener = new_listener(recognizer, speaking)
    heard = []
    for _ in range(3):  # the coach talks, falls silent, and the person speaks; three times over
        heard += feed(listener, quiet(talking[1] + 1.0 - listener.now) + next_please)
        heard += feed(listener, quiet(1.0))
        talking = (listener.now + 1.0, listener.now + 3.0)
    assert [u.text for u in heard] == ["next"] * 3
    assert all(u.end - u.start < 1.0 for u in heard)


def test_after_a_reset_a_half_heard_word_is_dropped_and_the_next_one_heard(recognizer, next_please):
    listener = new_listener(recognizer)
    half = next_please[: len(next_please) // 2 // listener.frame_bytes * listener.frame_bytes]
    assert feed(listener, quiet(0.5) + half) == []
    listener.reset()
    assert feed(listener, quiet(1.5)) == []
    heard = []
    for _ in range(3):
        began = listener.now
        heard += feed(listener, quiet(0.5) + next_please + quiet(1.0))
        assert began + 0.3 < heard[-1].start < began + 0.8
        listener.reset()
    assert [u.text for u in heard] == ["next"] * 3


def test_counting_is_heard_as_counting_and_does_nothing(recognizer, voice):
    listener = new_listener(recognizer)
    heard = feed(listener, quiet(0.5) + said(voice, "Three.") + quiet(1.0))
    heard += feed(listener, said(voice, "Repeat.") + quiet(1.0))
    assert [(u.text, u.ignored) for u in heard] == [("three", "not a command"), ("repeat", None)]
    assert heard[0].command is None
    assert heard[1].command is not None and heard[1].command.intent is Intent.REPEAT


def test_short_words_said_while_massaging_do_nothing(recognizer, voice):
    # Listened for as the words they are: with commands alone in the grammar, "Go." was obeyed
    # as "help" (measured), and "on" heard as "go on" in real recordings.
    listener = new_listener(recognizer)
    routine = find_routine("foot-massage", "en")
    listener.intents = context_intents(routine)["routine"]
    heard = feed(listener, quiet(0.5))
    for word in ("On.", "Up.", "Go.", "Forward."):
        heard += feed(listener, said(voice, word) + quiet(1.0))
    assert [u.command for u in heard] == [None] * 4
    heard = feed(listener, said(voice, "Go on.") + quiet(1.0))
    assert [u.command.intent for u in heard if u.command] == [Intent.NEXT]
