"""Phrases to intents: the English phrase book and the locale file format."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_coach.core.commands import Command, Intent, PhraseBook, normalise
from voice_coach.core.errors import DataFileError

REQUIRED = {
    Intent.NEXT: ["next", "next step", "continue", "go on"],
    Intent.BACK: ["back", "go back", "previous"],
    Intent.REPEAT: ["repeat", "say that again", "again"],
    Intent.PAUSE: ["pause", "wait", "hold on"],
    Intent.RESUME: ["resume", "keep going", "carry on", "start"],
    Intent.STOP: ["stop"],
    Intent.QUIT: ["quit", "end the session", "goodbye"],
    Intent.RESTART: ["start over", "restart"],
    Intent.SKIP: ["skip", "skip this"],
    Intent.STATUS: ["where am I", "what step is this", "how long left"],
    Intent.HELP: ["help", "what can I say"],
    Intent.SLOWER: ["slower", "speak slower"],
    Intent.FASTER: ["faster", "speak faster"],
    Intent.LOUDER: ["louder", "volume up"],
    Intent.QUIETER: ["quieter", "volume down"],
    Intent.MORE_TIME: ["more time", "longer"],
    Intent.SWITCH_FOOT: ["other foot", "switch feet"],
    Intent.YES: ["yes", "yeah", "yep"],
    Intent.NO: ["no", "nope"],
}


@pytest.mark.parametrize(
    ("phrase", "intent"), [(p, i) for i, ps in REQUIRED.items() for p in ps], ids=str
)
def test_required_phrases_map_to_their_intent(phrases, phrase, intent):
    assert phrases.parse(phrase) == Command(intent)


@pytest.mark.parametrize(
    ("phrase", "command"),
    [
        ("step 3", Command(Intent.GOTO, 3)),
        ("go to step three", Command(Intent.GOTO, 3)),
        ("Go to step 12.", Command(Intent.GOTO, 12)),
        ("step twelve", Command(Intent.GOTO, 12)),
        ("go to step 15", Command(Intent.GOTO, 15)),  # the session says there is no step 15
        ("go to arch rubs", Command(Intent.GOTO, "arch-rubs")),
        ("go to the achilles massage", Command(Intent.GOTO, "achilles")),
        ("go to achilles massage", Command(Intent.GOTO, "achilles")),
        ("jump to thumb work", Command(Intent.GOTO, "thumb-work")),
        ("left foot", Command(Intent.SWITCH_FOOT, "left")),
        ("right foot", Command(Intent.SWITCH_FOOT, "right")),
        ("switch to left foot", Command(Intent.SWITCH_FOOT, "left")),
        ("next please", Command(Intent.NEXT)),
        ("okay, pause!", Command(Intent.PAUSE)),
        ("Where am I?", Command(Intent.STATUS)),
        ("I\u2019m ready", Command(Intent.NEXT)),
    ],
    ids=str,
)
def test_goto_sides_fillers_and_punctuation(phrases, phrase, command):
    assert phrases.parse(phrase) == command


@pytest.mark.parametrize(
    "noise",
    ["", "please", "the weather is nice today", "one two three", "right", "left", "go",
     "forward", "up", "down", "on", "off", "stop it now you fool", "next week", "bye"],
)  # fmt: skip
def test_other_talk_is_not_a_command(phrases, noise):
    assert phrases.parse(noise) is None


def test_normalise():
    assert normalise("  What's   NEXT?! ") == "what's next"


def _locale(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "commands.toml"
    path.write_text(body)
    return path


GOOD = (Path(__file__).parent.parent / "voice_coach/locales/en/commands.toml").read_text()


def test_unknown_intent_in_a_locale_file_names_its_line(tmp_path):
    path = _locale(tmp_path, GOOD.replace("\nback = [", "\nbakc = ["))
    with pytest.raises(DataFileError) as caught:
        PhraseBook.load("en", path)
    line = (
        GOOD.replace("\nback = [", "\nbakc = [")
        .splitlines()
        .index(
            next(x for x in GOOD.splitlines() if x.startswith("back = [")).replace(
                "back", "bakc", 1
            )
        )
    )
    assert str(caught.value).startswith(f"{path}:{line + 1}: unknown intent 'bakc'")


def test_a_phrase_used_for_two_intents_is_refused(tmp_path):
    path = _locale(tmp_path, GOOD.replace('skip = ["skip"', 'skip = ["next"'))
    with pytest.raises(DataFileError, match="'next' is already used for 'next'"):
        PhraseBook.load("en", path)


def test_a_locale_without_phrases_for_an_intent_is_refused(tmp_path):
    body = "\n".join(line for line in GOOD.splitlines() if not line.startswith("louder ="))
    with pytest.raises(DataFileError, match="no phrases for intents: louder"):
        PhraseBook.load("en", _locale(tmp_path, body))


def test_counting_is_listened_for_but_is_no_command(phrases):
    grammar = phrases.grammar([Intent.REPEAT])
    assert {"one", "three", "five", "twelve"} <= set(grammar)
    assert "repeat" in grammar
    assert phrases.parse("three") is None
    assert phrases.grammar([]) == ()


def test_a_not_command_word_that_is_a_command_phrase_is_refused(tmp_path):
    body = GOOD.replace('not_commands = ["one",', 'not_commands = ["skip", "one",')
    path = _locale(tmp_path, body)
    line = body.splitlines().index(next(x for x in body.splitlines() if "not_commands" in x))
    with pytest.raises(DataFileError) as caught:
        PhraseBook.load("en", path)
    assert str(caught.value) == f"{path}:{line + 1}: 'skip' is a phrase for 'skip'"
