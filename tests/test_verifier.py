"""The second opinion for a language with no command spotter (vosk's Korean model): the bank of
examples it compares an utterance with, and the real embedding model telling commands from
words the grammar fitted to a phrase. English has two ears instead: test_two_ears.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.listening_helpers import feed, quiet, said
from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.commands import Intent
from voice_coach.core.errors import CoachError
from voice_coach.core.playback import PlaybackLog
from voice_coach.listening.engines import open_recognizer, second_ears, unverified
from voice_coach.listening.evaluation import context_intents
from voice_coach.listening.listener import Listener
from voice_coach.listening.stt.base import Recognizer
from voice_coach.listening.stt.embedding import SIZE
from voice_coach.listening.stt.sphinx import PocketSphinxRecognizer
from voice_coach.listening.stt.verifier import NEIGHBOURS, Bank, Verified, bank_file
from voice_coach.listening.stt.vosk import VoskRecognizer
from voice_coach.speaking.tts.espeak import EspeakVoice


def cluster(centre: int, count: int, seed: int) -> np.ndarray:
    """``count`` embeddings near one of three fixed points."""
    centres = np.random.default_rng(0).normal(0, 1, (3, SIZE))
    return centres[centre] + np.random.default_rng(seed).normal(0, 0.2, (count, SIZE))


@pytest.fixture
def bank() -> Bank:
    embeddings = np.vstack([cluster(0, 8, 1), cluster(1, 8, 2), cluster(2, 8, 3)])
    return Bank.build(embeddings, ["next"] * 8 + ["pause"] * 8 + ["none"] * 8)


def test_an_utterance_like_the_examples_of_its_command_looks_like_it(bank: Bank):
    like_next = bank.normalised(cluster(0, 1, 9)[0])
    features = bank.features(like_next, "next", score=-10.0)
    assert features is not None
    score, own, other, nothing = features
    assert score == -10.0 and own > 0.5 > max(other, nothing)
    heard_as_pause = bank.features(like_next, "pause", score=-10.0)
    assert heard_as_pause is not None and heard_as_pause[1] < 0 < heard_as_pause[2]


def test_examples_can_be_left_out_and_unknown_commands_have_no_opinion(bank: Bank):
    vector = bank.vectors[0]
    alone = bank.features(vector, "next", 0.0)
    left_out = bank.features(vector, "next", 0.0, excluded=np.arange(24) == 0)
    assert alone is not None and left_out is not None
    assert alone[1] > left_out[1]  # its own copy (cosine 1) was one of the nearest
    assert bank.features(vector, "skip", 0.0) is None
    assert NEIGHBOURS < 8


def test_the_shipped_bank_has_examples_of_every_command():
    bank = Bank.load(bank_file("vosk", "ko"))
    assert set(bank.labels) == {intent.value for intent in Intent} | {"none"}
    assert bank.vectors.shape == (len(bank.labels), SIZE)


def test_a_damaged_bank_names_its_file(tmp_path: Path):
    broken = tmp_path / "bank.npz"
    broken.write_bytes(b"not numpy")
    with pytest.raises(CoachError, match=f"{broken}: cannot read"):
        Bank.load(broken)
    good = Bank.load(bank_file("vosk", "ko"))
    np.savez(broken, mean=good.mean, scale=good.scale, vectors=good.vectors[:, :10],
             labels=good.labels, feature_mean=good.feature_mean,
             feature_scale=good.feature_scale, weights=good.weights)  # fmt: skip
    with pytest.raises(CoachError, match=f"{broken}: .*wrong shape"):
        Bank.load(broken)


def test_without_the_embedding_model_the_grammar_listens_alone(monkeypatch: pytest.MonkeyPatch):
    phrases = phrase_book(find_routine("foot-massage", "en"))
    monkeypatch.setattr("voice_coach.listening.engines.find_embedding", lambda: None)
    recognizer = open_recognizer("pocketsphinx", "en", phrases)
    assert isinstance(recognizer, PocketSphinxRecognizer) and not recognizer.checked
    assert unverified(recognizer)  # so the coach says what to install


def test_vosk_has_a_second_opinion_where_a_bank_was_fitted_for_its_language():
    korean = open_recognizer("vosk", "ko", phrase_book(find_routine("foot-massage", "ko")))
    assert isinstance(korean, Verified) and isinstance(korean.decoder, VoskRecognizer)
    assert korean.checked and not unverified(korean)
    # Nothing for a downloaded English model (its confidences were never fitted): nothing is
    # missing that an install would bring, so the coach does not ask for one.
    assert second_ears("vosk", "en") is None


def test_korean_words_vosk_alone_takes_for_commands_are_ignored_and_commands_are_not():
    routine = find_routine("foot-massage", "ko")
    phrases = phrase_book(routine)
    checked = open_recognizer("vosk", "ko", phrases)
    assert isinstance(checked, Verified) and checked.model_path is not None
    alone = VoskRecognizer(checked.model_path, "ko")
    voice = EspeakVoice("ko")

    def obeyed(recognizer: Recognizer, text: str) -> list[str]:
        listener = Listener(recognizer, phrases, PlaybackLog())
        listener.intents = context_intents(routine)["routine"]
        pcm = quiet(0.5) + said(voice, text) + quiet(1.0)
        return [u.command.label() for u in feed(listener, pcm) if u.command]

    try:
        for text, command in (("계속.", "next"), ("다시 말해.", "repeat"), ("잠깐.", "pause")):
            assert obeyed(checked, text) == [command], text
        # Words from the held-out set (never in the bank): "pyjamas" heard as "fist", "wife"
        # as "arch" by vosk alone, with its full confidence.
        for word in ("잠옷", "아내"):
            assert obeyed(checked, word) == [], word
            assert len(obeyed(alone, word)) == 1, word
    finally:
        voice.close()
