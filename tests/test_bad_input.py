"""What a person, a file or a full disk does to the coach: a clear message, or the coach carrying
on, never a traceback and never lost data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_coach
from tests.session_driver import Driver, said
from voice_coach.core.errors import DataFileError
from voice_coach.core.plan import Plan
from voice_coach.core.prompts import Prompts
from voice_coach.core.routine import load_routine
from voice_coach.core.session import Session

STRETCH = """
id = "stretch"
title = "Stretch"
locale = "en"
welcome = "Let's stretch."
closing = "All done."
[[steps]]
id = "neck-roll"
title = "Neck roll"
say = "Roll your neck slowly."
hold = 20
[[steps]]
id = "shoulder-shrug"
title = "Shoulder shrug"
say = "Lift your shoulders."
hold = 20
"""


def voice_coach(*args: str, env: dict[str, str] | None = None, stdin: str = ""):
    return subprocess.run([sys.executable, "-m", "voice_coach", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=120, check=False)  # fmt: skip


def test_a_routine_without_sides_numbers_its_steps_and_never_speaks_of_feet(tmp_path: Path):
    path = tmp_path / "stretch.toml"
    path.write_text(STRETCH)
    session = Session(Plan(load_routine(path)), Prompts.load("en"))
    drive = Driver(session)
    out = drive.start()
    assert said(out)[:2] == ["Let's stretch.", "Step 1 of 2. Neck roll."]
    drive.silent()
    words = []
    for intent in ("status", "help", "goto:3", "switch_foot"):
        from voice_coach.core.commands import Command, Intent

        name, _, target = intent.partition(":")
        words += said(drive.hear(Command(Intent(name), int(target) if target else None)))
    text = " ".join(words)
    assert "You are on step 1 of 2, Neck roll." in text
    assert "There is no step 3. Say a step from 1 to 2." in text
    assert "foot" not in text.lower() and "prepar" not in text.lower(), text


def test_the_coach_keeps_coaching_when_it_cannot_save(xdg, tmp_path: Path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the state folder should be")
    env = dict(xdg, XDG_STATE_HOME=str(blocked))
    run = run_coach(env, ["no", "no", "no", "slower"], "--quick", tmp=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.end == "finished" and len(run.steps) > 10
    assert run.stderr.count("cannot save your place") == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert blocked.read_text() == "a file where the state folder should be"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("hold = inf", "'hold' must be from 0 to 3600"),
        ("hold = nan", "'hold' must be from 0 to 3600"),
        ("hold = 1e300", "'hold' must be from 0 to 3600"),
        ("hold = 20\nx = " + "[" * 400 + "]" * 400, "nested more than 16 levels deep"),
        ("hold = 20\n" + "a" + ".a" * 5000 + " = 1", "a key of more than 16 parts"),
    ],
)
def test_numbers_and_nesting_a_routine_cannot_hold(tmp_path: Path, content: str, problem: str):
    path = tmp_path / "stretch.toml"
    path.write_text(STRETCH.replace("hold = 20\n[[steps]]", content + "\n[[steps]]", 1))
    with pytest.raises(DataFileError, match=problem) as caught:
        load_routine(path)
    assert str(caught.value).startswith(f"{path}:")


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path):
    path = tmp_path / "huge.toml"
    with path.open("w") as handle:
        handle.write(STRETCH)
        handle.write("# padding\n" * 1_000_000)
    with pytest.raises(DataFileError, match="larger than 256 KB"):
        load_routine(path)


def test_a_bad_file_among_the_users_routines_does_not_stop_the_others(xdg, tmp_path: Path):
    folder = tmp_path / "config" / "voice-coach" / "routines"
    folder.mkdir(parents=True)
    (folder / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000)
    (folder / "latin1.toml").write_bytes("title = 'Fu\xdfmassage'".encode("latin-1"))
    listed = voice_coach("routines", env=xdg)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert "deep.toml" in listed.stdout + listed.stderr
    assert "latin1.toml:1: not UTF-8" in listed.stdout + listed.stderr
    run = run_coach(xdg, ["no", "no", "no"], "--quick", tmp=tmp_path)
    assert run.end == "finished", run.stderr


def test_check_takes_a_routine_with_only_a_quick_variant_and_run_uses_it(xdg, tmp_path: Path):
    path = tmp_path / "stretch.toml"
    path.write_text(STRETCH + '[variants.quick]\ntitle = "Quick"\nhold_scale = 0.5\n')
    checked = voice_coach("check", str(path))
    assert checked.returncode == 0, checked.stderr
    run = run_coach(xdg, [], "--routine", str(path), tmp=tmp_path)
    assert run.end == "finished", run.stderr


def test_a_left_out_description_is_fine(tmp_path: Path):
    path = tmp_path / "stretch.toml"
    path.write_text(STRETCH)
    assert load_routine(path).description == ""


def test_saying_nothing_and_an_unknown_input_are_refused(xdg):
    nothing = voice_coach("say", "", "--output", "/tmp/never.wav")
    assert nothing.returncode != 0 and "nothing to say" in nothing.stderr
    assert not Path("/tmp/never.wav").exists()
    unknown = voice_coach("run", "--input", "foo", "--clock", "real", env=xdg)
    assert unknown.returncode != 0 and "unknown input 'foo'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_a_wav_microphone_streams_the_file_resampled_then_a_second_of_room(tmp_path: Path):
    import numpy as np

    from voice_coach.audio.microphones import WavMicrophone
    from voice_coach.audio.pcm import Audio, write_wav

    seconds = 3.5
    t = np.arange(round(seconds * 44100)) / 44100
    write_wav(tmp_path / "tone.wav", Audio((0.5 * np.sin(2 * np.pi * 440 * t)).astype("f4"), 44100))
    microphone = WavMicrophone(tmp_path / "tone.wav")
    chunks = []
    while (chunk := microphone.read(3200)) is not None:
        chunks.append(chunk.pcm)
    pcm = np.frombuffer(b"".join(chunks), dtype="<i2").astype(np.float32) / 32768
    assert abs(len(pcm) / 16000 - (seconds + 1.0)) < 0.11
    tone, room = pcm[8000 : 8000 + 16000], pcm[-12000:]
    assert 0.3 < np.sqrt(np.mean(tone**2)) < 0.4  # the tone, at its level (0.5 peak)
    assert np.sqrt(np.mean(room**2)) < 0.001  # then quiet room


def test_a_wav_whose_header_lies_is_refused_by_the_coach(tmp_path: Path, xdg):
    from tests.test_evaluation import wav_header

    (tmp_path / "one-hertz.wav").write_bytes(wav_header(1, frames=32000))
    done = voice_coach("run", "--input", str(tmp_path / "one-hertz.wav"), env=xdg)
    assert done.returncode == 1 and "sample rate of 1 Hz" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
