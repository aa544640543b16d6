"""The recognisers' second opinion: the bank of examples it compares an utterance with, and the
real embedding model telling commands from chatter that the grammar fitted to a phrase."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.listening_helpers import feed, new_listener, quiet, said
from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.commands import Intent
from voice_coach.core.errors import CoachError
from voice_coach.core.playback import PlaybackLog
from voice_coach.listening.engines import embedding_verifier, open_recognizer, unverified
from voice_coach.listening.evaluation import context_intents
from voice_coach.listening.listener import Listener
from voice_coach.listening.stt.embedding import SIZE
from voice_coach.listening.stt.sphinx import PocketSphinxRecognizer
from voice_coach.listening.stt.verifier import NEIGHBOURS, Bank, bank_file
from voice_coach.listening.stt.vosk import VoskRecognizer
from voice_coach.speaking.tts.espeak import EspeakVoice
from voice_coach.speaking.tts.natural import NaturalVoice


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


@pytest.mark.parametrize(("engine", "locale"), [("pocketsphinx", "en"), ("vosk", "ko")])
def test_each_shipped_bank_has_examples_of_every_command(engine: str, locale: str):
    bank = Bank.load(bank_file(engine, locale))
    assert set(bank.labels) == {intent.value for intent in Intent} | {"none"}
    assert bank.vectors.shape == (len(bank.labels), SIZE)


def test_a_damaged_bank_names_its_file(tmp_path: Path):
    broken = tmp_path / "bank.npz"
    broken.write_bytes(b"not numpy")
    with pytest.raises(CoachError, match=f"{broken}: cannot read"):
        Bank.load(broken)
    good = Bank.load(bank_file("pocketsphinx", "en"))
    np.savez(broken, mean=good.mean, scale=good.scale, vectors=good.vectors[:, :10],
             labels=good.labels, feature_mean=good.feature_mean,
             feature_scale=good.feature_scale, weights=good.weights)  # fmt: skip
    with pytest.raises(CoachError, match=f"{broken}: .*wrong shape"):
        Bank.load(broken)


def test_without_the_embedding_model_the_gap_decides(monkeypatch: pytest.MonkeyPatch):
    phrases = phrase_book(find_routine("foot-massage", "en"))
    monkeypatch.setattr("voice_coach.listening.engines.find_embedding", lambda: None)
    recognizer = open_recognizer("pocketsphinx", "en", phrases)
    assert isinstance(recognizer, PocketSphinxRecognizer) and recognizer.verifier is None
    assert embedding_verifier(phrases, "pocketsphinx", "en") is None
    assert unverified(recognizer)  # so the coach says what to install


def test_vosk_has_a_second_opinion_where_a_bank_was_fitted_for_its_language():
    korean = open_recognizer("vosk", "ko", phrase_book(find_routine("foot-massage", "ko")))
    assert isinstance(korean, VoskRecognizer) and korean.verifier is not None
    assert not unverified(korean)
    # No bank for a downloaded English model (its confidences were never fitted): nothing is
    # missing that an install would bring, so the coach does not ask for one.
    english = phrase_book(find_routine("foot-massage", "en"))
    assert not bank_file("vosk", "en").exists()
    assert embedding_verifier(english, "vosk", "en") is None


@pytest.fixture(scope="module")
def voice():
    voice = NaturalVoice()
    yield voice
    voice.close()


def obeyed(recognizer: PocketSphinxRecognizer, pcm: bytes) -> list[str]:
    """The commands a listener in a running hold acts on."""
    return [u.command.label() for u in feed(new_listener(recognizer), pcm) if u.command]


def checked_recognizer() -> PocketSphinxRecognizer:
    verifier = embedding_verifier(
        phrase_book(find_routine("foot-massage", "en")), "pocketsphinx", "en"
    )
    assert verifier is not None, "run scripts/setup.sh: it downloads the speech-embedding model"
    return PocketSphinxRecognizer(verifier)


def test_commands_in_the_coach_s_own_espeak_voice_pass_the_check():
    voice = EspeakVoice("gmw/en-us")
    try:
        recognizer = checked_recognizer()
        for text, command in (("Go back.", "back"), ("Pause.", "pause"), ("Repeat.", "repeat")):
            pcm = quiet(0.5) + said(voice, text) + quiet(1.0)
            assert obeyed(recognizer, pcm) == [command], text
    finally:
        voice.close()


def test_natural_voice_chatter_fitted_to_a_command_is_ignored_and_commands_are_not(voice):
    checked, gap_alone = checked_recognizer(), PocketSphinxRecognizer()
    for text, command in (("Next.", "next"), ("Go back.", "back"), ("Pause.", "pause"),
                          ("Repeat that.", "repeat")):  # fmt: skip
        pcm = quiet(0.5) + said(voice, text) + quiet(1.0)
        assert obeyed(checked, pcm) == [command], text
    taken_by_the_gap = []
    for chatter in CHATTER:
        pcm = quiet(0.5) + said(voice, chatter) + quiet(1.0)
        assert obeyed(checked, pcm) == [], chatter
        taken_by_the_gap += obeyed(gap_alone, pcm)
    # The gap alone takes some of it for commands ("next one", "repeat that"; 5 of the 8 when
    # written), so the ignoring above is the second opinion's doing. Which ones it takes moves
    # with the processor and the packages' versions, so only a share is asserted.
    assert len(taken_by_the_gap) >= 2, taken_by_the_gap


CHATTER = (
    "Let's watch a movie after this.",
    "Where did I put my phone?",
    "I need to go back to the shop later.",
    "Can you pass me the towel?",
    "Did you hear that noise?",
    "The next bus is at six.",
    "Let's stop for lunch soon.",
    "Say it louder, I can't hear the radio.",
)


def test_korean_words_vosk_alone_takes_for_commands_are_ignored_and_commands_are_not():
    routine = find_routine("foot-massage", "ko")
    phrases = phrase_book(routine)
    checked = open_recognizer("vosk", "ko", phrases)
    assert isinstance(checked, VoskRecognizer) and checked.verifier is not None
    alone = VoskRecognizer(checked.model_path, "ko")
    voice = EspeakVoice("ko")

    def obeyed(recognizer: VoskRecognizer, text: str) -> list[str]:
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
