"""The coach steered by voice, end to end: real speech in a WAV microphone, real recognisers,
the virtual clock. Each listening run is compared with the same session typed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.listening_helpers import feed, new_listener, quiet, said
from tests.speech_script import coach, microphone
from voice_coach.app.catalog import find_routine
from voice_coach.audio.pcm import SAMPLE_RATE, active_rms, read_wav
from voice_coach.core.commands import Intent
from voice_coach.listening.evaluation import context_intents
from voice_coach.listening.listener import ACCEPT
from voice_coach.listening.stt.sphinx import PocketSphinxRecognizer
from voice_coach.speaking.tts.espeak import EspeakVoice
from voice_coach.speaking.tts.natural import NaturalVoice


@pytest.fixture(scope="module")
def natural():
    voice = NaturalVoice()
    yield voice
    voice.close()


@pytest.fixture(scope="module")
def espeak():
    voice = EspeakVoice("gmw/en-us")
    yield voice
    voice.close()


COMMANDS = ["+2 no", "+2 no", "+2 no", "+3 next", "+3 go back", "+3 next", "+3 repeat",
            "+3 wait", "+3 carry on", "+3 go to step three", "+3 how long left", "+3 help"]  # fmt: skip


def test_spoken_commands_steer_the_session_like_typed_ones(tmp_path: Path, natural):
    typed = coach(["--quick", "--clock", "virtual", "--input", "text"], tmp_path, "typed",
                  stdin="\n".join(COMMANDS) + "\n")  # fmt: skip
    assert typed.end == "finished"
    wav = tmp_path / "mic.wav"
    placed = microphone(
        typed, lambda text: natural.synthesize(text[0].upper() + text[1:] + "."), wav
    )
    heard = coach(["--quick", "--input", str(wav), "--engine", "pocketsphinx"], tmp_path, "heard")
    assert heard.returncode == 0, heard.stderr

    intents = [e["intent"] for e in heard.of("heard")]
    assert intents == [e["intent"] for e in typed.of("heard")]
    assert intents == ["no", "no", "no", "next", "back", "next", "repeat", "pause", "resume",
                       "goto:3", "status", "help"]  # fmt: skip
    # Obeyed: the same steps in the same order, the same end.
    assert heard.steps == typed.steps and heard.end == "finished"
    # Each command was heard where it was said, with its confidence; nothing else was heard.
    for event, (start, end, _) in zip(heard.of("heard"), placed, strict=True):
        assert start - 0.3 < event["start"] < event["end"] < end + 0.3
        assert 0.5 <= event["confidence"] <= 1.0
        assert event["t"] - end < 1.0  # the command took effect within a second of its end
    assert heard.of("ignored") == []


ANSWERS = "+2 no\n+2 no\n+2 no\n"


def test_the_coachs_own_voice_never_triggers_a_command(tmp_path: Path, natural):
    typed = coach(["--quick", "--clock", "virtual", "--input", "text"], tmp_path, "typed",
                  stdin=ANSWERS)  # fmt: skip
    wav = tmp_path / "mic.wav"
    microphone(typed, lambda text: natural.synthesize(text.capitalize() + "."), wav)
    heard = coach(["--quick", "--input", str(wav), "--engine", "pocketsphinx", "--room-echo", "-6",
                   "--output", str(tmp_path / "coach.wav")], tmp_path, "heard")  # fmt: skip
    assert heard.returncode == 0, heard.stderr
    # The whole session, its voice coming back into the microphone only 6 dB quieter, and
    # nothing but the three answers was taken as a command.
    assert [e["intent"] for e in heard.of("heard")] == ["no", "no", "no"]
    assert heard.steps == typed.steps and heard.end == "finished"
    # ...although the coach talked for minutes into that room.
    spoken = sum(e["end"] - e["t"] for e in heard.of("say"))
    assert spoken > 120
    assert read_wav(tmp_path / "coach.wav").rms_dbfs() > -40


PERSON = 0.03
"""The level of the person's "stop" at the microphone (speech RMS, full scale 1: -30 dBFS)."""


@pytest.mark.parametrize("echo_db", [-6.0, 0.0, 6.0])
def test_stop_said_over_the_coach_is_obeyed(tmp_path: Path, natural, espeak, echo_db: float):
    # The coach's voice comes back into the microphone 6 dB under the person's "stop" (found on
    # the raw microphone), as loud as it, and 6 dB louder (found once the echo is cancelled).
    typed = coach(["--quick", "--clock", "virtual", "--input", "text", "--output",
                   str(tmp_path / "typed.wav")], tmp_path, "typed", stdin=ANSWERS)  # fmt: skip
    coach_level = active_rms(read_wav(tmp_path / "typed.wav").resampled(SAMPLE_RATE).samples)
    # Say "stop" a second into the first technique's how-to, over the coach's voice.
    how_to = next(e for e in typed.of("say") if e["text"].startswith("Place your palms"))
    at = how_to["t"] + 1.0
    stop = espeak.synthesize("Stop!").resampled(SAMPLE_RATE).at_speech_level(PERSON)
    wav = tmp_path / "mic.wav"
    microphone(typed, lambda text: natural.synthesize(text.capitalize() + "."), wav,
               extra=[(at, stop)], until=at + 3)  # fmt: skip
    gain = echo_db + 20 * np.log10(PERSON / coach_level)
    heard = coach(["--quick", "--input", str(wav), "--engine", "pocketsphinx", "--room-echo",
                   f"{gain:.2f}", "--output", str(tmp_path / "coach.wav")], tmp_path,
                  "heard")  # fmt: skip
    assert [e["intent"] for e in heard.of("heard")] == ["no", "no", "no", "stop"]
    stopped = heard.of("heard")[-1]
    assert at - 0.3 < stopped["start"] < at + 0.5
    cut = next(e for e in heard.of("say") if e["text"] == how_to["text"])
    assert cut["t"] < stopped["t"] < cut["end"]  # it was still speaking when it heard "stop"
    after = [e for e in heard.of("say") if e["t"] >= stopped["t"]]
    assert after[0]["text"] == "Paused."
    # The rest of the line was never played: silence until the coach gives up waiting, and
    # nothing more heard in the room.
    played = read_wav(tmp_path / "coach.wav")
    quiet_from, quiet_to = (round(t * played.rate) for t in (after[0]["end"], after[1]["t"]))
    assert not played.samples[quiet_from:quiet_to].any()
    assert [e for e in heard.of("ignored") if e["start"] > after[0]["end"]] == []
    assert heard.end == "no-input"  # paused, and then nobody said anything


KOREAN = ["+2 아니요", "+2 아니요", "+2 아니요", "+3 계속", "+3 다시 말해", "+3 잠깐", "+3 계속해",
          "+3 남은 시간", "+3 도와줘", "+3 종료", "+2 네"]  # fmt: skip


def test_korean_commands_steer_the_session_with_the_vosk_model(tmp_path: Path):
    typed = coach(["--locale", "ko", "--quick", "--clock", "virtual", "--input", "text"],
                  tmp_path, "typed", stdin="\n".join(KOREAN) + "\n")  # fmt: skip
    assert typed.end == "quit"
    voice = EspeakVoice("ko")
    try:
        microphone(typed, lambda text: voice.synthesize(text + "."), tmp_path / "mic.wav")
    finally:
        voice.close()
    heard = coach(["--locale", "ko", "--quick", "--input", str(tmp_path / "mic.wav")],
                  tmp_path, "heard")  # fmt: skip
    assert heard.returncode == 0, heard.stderr
    intents = [e["intent"] for e in heard.of("heard")]
    assert intents == ["no", "no", "no", "next", "repeat", "pause", "resume", "status", "help",
                       "quit", "yes"]  # fmt: skip
    assert intents == [e["intent"] for e in typed.of("heard")]
    assert heard.steps == typed.steps and heard.end == "quit"
    assert heard.of("ignored") == []
    assert all(e["confidence"] >= ACCEPT for e in heard.of("heard"))


@pytest.fixture(scope="module")
def recognizer() -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer()


@pytest.fixture(scope="module")
def voice(natural):
    return natural


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
