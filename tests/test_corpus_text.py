"""The listening corpus's text (scripts/corpus/<locale>.toml): the benchmark's labels are only
as right as this text. Audio labelled ``none`` must say no command; jumps must be heard as the
step they are labelled with; the held-out set must share no sentence, noise or voice at the
same speed with the tuning set."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_corpus.py"


@pytest.fixture(scope="module")
def make_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


LOCALES = sorted(p.stem for p in (SCRIPT.parent / "corpus").glob("*.toml"))


def test_every_routine_language_has_corpus_text() -> None:
    assert LOCALES == ["en", "ko"]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", ["tune", "heldout"])
def test_none_material_says_no_command(make_corpus: ModuleType, locale: str, name: str) -> None:
    text = make_corpus.CorpusText.load(locale, name)
    phrases = phrase_book(find_routine("foot-massage", locale))
    said = [*text.near_miss, *text.massage_words, *text.counting.split(), *text.chatter]
    commands = {line: phrases.parse(line) for line in said}
    assert {line: c for line, c in commands.items() if c is not None} == {}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", ["tune", "heldout"])
def test_jumps_are_heard_as_their_label(make_corpus: ModuleType, locale: str, name: str) -> None:
    text = make_corpus.CorpusText.load(locale, name)
    phrases = phrase_book(find_routine("foot-massage", locale))
    for phrase, label in text.goto:
        command = phrases.parse(phrase)
        assert command is not None and command.label() == label, phrase


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_shares_nothing_with_tuning(make_corpus: ModuleType, locale: str) -> None:
    tune = make_corpus.CorpusText.load(locale, "tune")
    held = make_corpus.CorpusText.load(locale, "heldout")
    spoken = {(v.engine, v.name, speed) for v in tune.voices for speed in v.speeds}
    assert not spoken & {(v.engine, v.name, speed) for v in held.voices for speed in v.speeds}
    assert not set(tune.noises) - {"babble"} & set(held.noises)
    for field in ("near_miss", "massage_words", "chatter", "goto"):
        assert not set(getattr(tune, field)) & set(getattr(held, field)), field
    assert tune.seed != held.seed


@pytest.mark.parametrize("locale", LOCALES)
def test_espeak_has_every_voice(make_corpus: ModuleType, locale: str) -> None:
    listed = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True,
                            check=True).stdout.split()  # fmt: skip
    for name in ("tune", "heldout"):
        for voice in make_corpus.CorpusText.load(locale, name).voices:
            if voice.engine == "espeak":
                language, variant = voice.name.split("+")
                assert f"!v/{variant}" in listed, voice.name
                assert language in subprocess.run(["espeak-ng", f"--voices={language}"],
                                                  capture_output=True, text=True).stdout  # fmt: skip


def test_unknown_locale_names_the_files_there_are(make_corpus: ModuleType) -> None:
    with pytest.raises(SystemExit, match=r"no corpus text for .xx.*there is: en, ko"):
        make_corpus.CorpusText.load("xx", "tune")
