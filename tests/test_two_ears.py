"""Two ears: the command spotter beside the grammar decode, and the judge that decides from both
(the shipped weights, the real embedding model and pocketsphinx, real voices)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.listening_helpers import feed, new_listener, quiet, said
from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.commands import Intent
from voice_coach.core.errors import CoachError
from voice_coach.listening.engines import open_recognizer, spotter_label
from voice_coach.listening.stt.ears import TwoEars
from voice_coach.listening.stt.judge import Judge, candidates, features, judge_file
from voice_coach.listening.stt.spotter import NOTHING, Spotter, spotter_file
from voice_coach.speaking.tts.espeak import EspeakVoice
from voice_coach.speaking.tts.natural import NaturalVoice


def test_the_shipped_spotter_knows_every_command_and_is_small():
    spotter = Spotter.load(spotter_file("en"))
    commands = {i.value for i in Intent if i is not Intent.GOTO}
    assert set(spotter.labels) == commands | {"goto", "side", NOTHING}
    assert spotter_file("en").stat().st_size < 2_000_000
    assert spotter_file("en").with_suffix(".md").is_file()  # its model card


def test_a_damaged_spotter_or_judge_names_its_file(tmp_path: Path):
    broken = tmp_path / "spotter.npz"
    broken.write_bytes(b"not numpy")
    with pytest.raises(CoachError, match=f"{broken}: cannot read"):
        Spotter.load(broken)
    with pytest.raises(CoachError, match=f"{broken}: cannot read"):
        Judge.load(broken)
    good = Spotter.load(spotter_file("en"))
    np.savez(broken, labels=np.array(good.labels[:-1]), mean=good.mean, scale=good.scale,
             w0=good.weights[0], b0=good.biases[0], w1=good.weights[1], b1=good.biases[1])  # fmt: skip
    with pytest.raises(CoachError, match=f"{broken}: .*do not fit its labels"):
        Spotter.load(broken)


def test_agreement_is_trusted_and_a_lone_unsure_ear_is_not():
    judge = Judge.load(judge_file("pocketsphinx", "en"))
    sure = {"stop": 0.9, "pause": 0.05, NOTHING: 0.05}
    unsure = {"stop": 0.2, "pause": 0.1, NOTHING: 0.7}

    def confidence(heard: str | None, gap: float, probabilities: dict[str, float]) -> float:
        return judge.confidence(features("stop", heard, gap, probabilities))

    both = confidence("stop", -8.0, sure)
    assert both > 0.9
    assert confidence("stop", -8.0, unsure) < both  # the spotter doubts what the grammar heard
    assert confidence(None, 0.0, sure) < both  # the spotter alone
    assert confidence("stop", -30.0, unsure) < 0.5  # a poor fit, and the spotter hears nothing
    assert confidence(None, 0.0, unsure) < 0.5


def test_the_spotter_proposes_what_the_grammar_missed_but_never_overrules_it():
    assert candidates(None, {"stop": 0.8, NOTHING: 0.2}) == ["stop"]
    assert candidates("pause", {"stop": 0.8, NOTHING: 0.2}) == ["pause"]
    assert candidates("none", {NOTHING: 0.1, "stop": 0.9}) == []  # "on" is no "hang on"
    assert candidates(None, {"goto": 0.9, NOTHING: 0.1}) == []
    assert candidates("goto", {"goto": 0.9, NOTHING: 0.1}) == ["goto"]


def test_phrases_get_the_spotter_s_labels():
    book = phrase_book(find_routine("foot-massage", "en"))
    assert spotter_label(book, "say that again") == "repeat"
    assert spotter_label(book, "go to step three") == "goto"
    assert spotter_label(book, "left foot") == "side"
    assert spotter_label(book, "three") == "none"


@pytest.fixture(scope="module")
def two_ears() -> TwoEars:
    recognizer = open_recognizer(
        "pocketsphinx", "en", phrase_book(find_routine("foot-massage", "en"))
    )
    assert isinstance(recognizer, TwoEars), "run scripts/setup.sh: it downloads the embedding model"
    return recognizer


@pytest.fixture(scope="module")
def natural():
    voice = NaturalVoice()
    yield voice
    voice.close()


def obeyed(recognizer, pcm: bytes, intents=None) -> list[str]:
    listener = new_listener(recognizer)
    if intents is not None:
        listener.intents = intents
    return [u.command.label() for u in feed(listener, pcm) if u.command]


def test_commands_in_the_coach_s_own_espeak_voice_are_obeyed(two_ears):
    voice = EspeakVoice("gmw/en-us")
    try:
        for text, command in (("Go back.", "back"), ("Pause.", "pause"), ("Repeat.", "repeat")):
            assert obeyed(two_ears, quiet(0.5) + said(voice, text) + quiet(1.0)) == [command], text
    finally:
        voice.close()


def test_natural_voice_commands_are_obeyed_and_chatter_is_not(two_ears, natural):
    for text, command in (("Next.", "next"), ("Go back.", "back"), ("Pause.", "pause"),
                          ("Repeat that.", "repeat")):  # fmt: skip
        assert obeyed(two_ears, quiet(0.5) + said(natural, text) + quiet(1.0)) == [command], text
    for chatter in CHATTER:
        assert obeyed(two_ears, quiet(0.5) + said(natural, chatter) + quiet(1.0)) == [], chatter


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


@pytest.mark.parametrize("pause", [0.3, 0.7])
def test_the_first_piece_of_say_that_again_is_never_obeyed_as_stop(two_ears, natural, pause):
    # "Say that" sounds like "stop"; said with a pause before "again", the endpointer cuts the
    # phrase in two. A short pause is bridged (the whole phrase is heard); after a long one the
    # first piece alone is heard, and must not be taken for "stop".
    intents = frozenset({Intent.STOP, Intent.REPEAT, Intent.PAUSE, Intent.NEXT, Intent.BACK})
    pcm = (quiet(0.5) + said(natural, "Say that") + quiet(pause) + said(natural, "again.")
           + quiet(1.0))  # fmt: skip
    heard = obeyed(two_ears, pcm, intents)
    assert "stop" not in heard
    if pause < 0.33:
        assert heard == ["repeat"]
