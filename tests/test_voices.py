"""The voices, for real: pyttsx3 with espeak-ng, the natural voice, and Korean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio_helpers import recognise
from voice_coach.audio.pcm import read_wav
from voice_coach.core.prompts import Prompts
from voice_coach.speaking.tts.espeak import EspeakVoice
from voice_coach.speaking.tts.natural import NaturalVoice
from voice_coach.speaking.tts.worker import sentences


@pytest.fixture(scope="module")
def espeak():
    voice = EspeakVoice(Prompts.load("en").espeak_voice)
    yield voice
    voice.close()


def test_espeak_speaks_a_step_at_a_sensible_length_and_level(espeak):
    text = "Hold the heel with one hand. Bend all the toes back and forth."
    audio = espeak.synthesize(text)
    words_per_second = len(text.split()) / audio.seconds
    assert 1.8 < words_per_second < 3.8
    assert -30 < audio.rms_dbfs() < -10
    assert abs(audio.samples).max() < 1.0


def test_rate_levels_speak_slower_and_faster(espeak):
    text = "Press a little more each time."
    lengths = []
    for level in (-3, 0, 3):
        espeak.set_rate(level)
        lengths.append(espeak.synthesize(text).seconds)
    espeak.set_rate(0)
    assert lengths[0] > lengths[1] * 1.2 > lengths[2] * 1.2


# What the coach says to steer the person must be understood: recognise it back with
# pocketsphinx's own English model, under a grammar of all these prompts.
PROMPT_NAMES = ["wait_for_next", "paused", "first_step", "extra_time", "answer_yes_no",
                "confirm_quit", "slower", "louder", "not_paused", "resumed", "hold_halfway"]  # fmt: skip


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def test_the_coachs_prompts_are_intelligible(espeak):
    prompts = Prompts.load("en")
    texts = [_words(prompts.say(name)) for name in PROMPT_NAMES]
    heard = [recognise(espeak.synthesize(prompts.say(name)), texts) for name in PROMPT_NAMES]
    assert heard == texts


def test_the_korean_espeak_voice_speaks():
    voice = EspeakVoice("ko")
    try:
        audio = voice.synthesize("다음 단계로 넘어갑니다.")
    finally:
        voice.close()
    assert 0.8 < audio.seconds < 4 and audio.rms_dbfs() > -35


def test_the_natural_voice_speaks_and_is_intelligible():
    voice = NaturalVoice()
    try:
        audio = voice.synthesize("Say next when you are ready.")
    finally:
        voice.close()
    assert audio.rate == 24000 and 1.0 < audio.seconds < 4
    assert recognise(audio, ["say next when you are ready", "paused", "this is the first step"]) == (
        "say next when you are ready")  # fmt: skip


def test_without_the_natural_voice_the_coach_says_how_to_install_it_and_carries_on(tmp_path):
    out = tmp_path / "hello.wav"
    code = ("import sys; sys.modules['hibari'] = None\n"  # as if hibari-tts were not installed
            "from voice_coach.app.cli import main\n"
            f"raise SystemExit(main(['say', 'Hello there.', '--voice', 'natural', '--output', {str(out)!r}]))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert 'pip install ".[natural]"' in done.stderr and "Using the default voice" in done.stderr
    assert read_wav(out).rate == 22050  # espeak-ng's rate, not the natural voice's 24 kHz


def test_sentences_are_split_for_streaming():
    assert sentences("One. Two? Three! 넷. ") == ["One.", "Two?", "Three!", "넷."]
    assert sentences("No end") == ["No end"]


def test_say_writes_a_wav(tmp_path: Path):
    out = tmp_path / "say.wav"
    done = subprocess.run([sys.executable, "-m", "voice_coach", "say", "Check, one two.",
                           "--output", str(out)], capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert 0.8 < read_wav(out).seconds < 3
