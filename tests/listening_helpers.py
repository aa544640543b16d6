"""Feeding a listener in tests: a quiet room, real speech in it, and a listener of the foot
massage's phrases with the coach's playback as a test decides it."""

from __future__ import annotations

import numpy as np

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.commands import Intent
from voice_coach.listening.listener import Listener, Utterance
from voice_coach.speaking.tts.worker import WorkerVoice


def quiet(seconds: float) -> bytes:
    """A quiet room, about -70 dBFS."""
    noise = np.random.default_rng(round(seconds * 1000)).normal(0, 10, round(seconds * SAMPLE_RATE))
    return noise.astype("<i2").tobytes()


def said(voice: WorkerVoice, text: str) -> bytes:
    """``text`` in a quiet room: a microphone never gives digital silence (after which the
    voice activity detector takes the room's noise for speech)."""
    audio = voice.synthesize(text).resampled(SAMPLE_RATE)
    word = np.frombuffer(audio.to_int16(), dtype="<i2").astype(np.int32)
    word += np.frombuffer(quiet(audio.seconds), dtype="<i2")
    return np.clip(word, -32768, 32767).astype("<i2").tobytes()


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


def new_listener(recognizer, speaking=lambda start, end: None, segmenter=None) -> Listener:
    phrases = phrase_book(find_routine("foot-massage", "en"))
    listener = Listener(recognizer, phrases, FakePlayback(speaking), segmenter=segmenter)
    listener.intents = frozenset({Intent.NEXT, Intent.BACK, Intent.REPEAT, Intent.PAUSE})
    return listener
