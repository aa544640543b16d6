"""``voice-coach eval``: labelled clips through the real listening path, and clear errors for
a bad manifest."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from voice_coach.app.cli import main
from voice_coach.audio.pcm import Audio, write_wav
from voice_coach.core.commands import Command, Intent
from voice_coach.core.events import Heard, Start
from voice_coach.core.session import Session
from voice_coach.listening.evaluation import context_intents
from voice_coach.speaking.tts.natural import NaturalVoice


def write_odd_wav(path: Path, audio: Audio, rate: int, width: int, channels: int) -> None:
    """The clip at another rate, sample width and channel count (eval must take any)."""
    samples = audio.resampled(rate).samples
    if width == 1:
        data = (np.clip(samples, -1, 1) * 127 + 128).astype(np.uint8).tobytes()
    elif width == 2:
        data = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    else:
        ints = (np.clip(samples, -1, 1) * (2**23 - 1)).astype(np.int32)
        data = np.stack([ints & 0xFF, ints >> 8 & 0xFF, ints >> 16 & 0xFF], axis=1)
        data = data.astype(np.uint8).tobytes()
    frame = len(data) // len(samples)
    data = b"".join(data[i : i + frame] * channels for i in range(0, len(data), frame))
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(width)
        handle.setframerate(rate)
        handle.writeframes(data)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    voice = NaturalVoice()
    said = {name: voice.synthesize(text) for name, text in [
        ("yes", "Yes."), ("next", "Next."), ("resume", "Carry on."), ("goto", "Go to step three."),
        ("talk", "My sister rang this morning and we talked about the garden for a long time, "
                 "and then about her holiday plans for the summer."),
    ]}  # fmt: skip
    voice.close()
    write_wav(folder / "yes.wav", said["yes"])
    write_odd_wav(folder / "next.wav", said["next"], 22050, 2, 1)
    write_odd_wav(folder / "resume.wav", said["resume"], 44100, 3, 2)
    write_wav(folder / "goto.wav", said["goto"])
    write_odd_wav(folder / "talk.wav", said["talk"], 11025, 1, 1)
    write_wav(folder / "quiet.wav", Audio.silence(2.0, 16000))
    (folder / "manifest.csv").write_text(
        "path,expected,context\n"
        "yes.wav,yes,question\n"
        "next.wav,next,\n"
        "resume.wav,resume,paused\n"
        "goto.wav,goto:3,routine\n"
        "talk.wav,none,routine\n"
        "quiet.wav,none,routine\n"
        # Said where it means nothing: "yes" while a hold runs is not a command.
        "yes.wav,yes,routine\n"
    )
    return folder


def test_eval_scores_real_speech_through_the_listening_path(clips: Path, tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(["eval", str(clips / "manifest.csv"), "--engine", "pocketsphinx",
                 "--json", str(out)]) == 0  # fmt: skip
    result = json.loads(out.read_text())
    by_name = {Path(c["path"]).name + c["context"]: c for c in result["per_clip"]}
    assert by_name["yes.wavquestion"]["heard"] == ["yes"]
    assert by_name["next.wavroutine"]["heard"] == ["next"]  # 22.05 kHz
    assert by_name["resume.wavpaused"]["heard"] == ["resume"]  # 44.1 kHz, 24-bit, stereo
    assert by_name["goto.wavroutine"]["heard"] == ["goto:3"]
    assert by_name["talk.wavroutine"]["heard"] == []  # 11 kHz, 8-bit
    assert by_name["talk.wavroutine"]["seconds"] > 6
    assert by_name["quiet.wavroutine"]["heard"] == []
    assert by_name["yes.wavroutine"]["heard"] == []
    assert result["accuracy"] == pytest.approx(4 / 5)
    assert result["rejection"] == 1.0
    assert result["false_accepts"] == 0 and result["false_accepts_per_hour"] == 0
    assert result["none_seconds"] > 9
    latency = result["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] < 2000
    for clip in result["per_clip"]:
        assert len(clip["latency_ms"]) == len(clip["heard"])
    assert 0 < result["cpu_seconds_per_audio_second"] < 1
    assert result["peak_rss_mb"] > 0
    table = capsys.readouterr().out
    assert "accuracy                80.0%" in table
    assert "yes.wav: expected yes (routine), heard nothing" in table


def test_contexts_listen_for_what_a_session_would(plan, prompts):
    intents = context_intents(plan.routine)
    session = Session(plan, prompts)
    session.handle(Start(0.0))
    assert session.listening() == intents["question"]
    for t in range(1, 4):
        session.handle(Heard(float(t), "no", Command(Intent.NO)))
    assert session.listening() == intents["routine"]
    session.handle(Heard(5.0, "pause", Command(Intent.PAUSE)))
    assert session.listening() == intents["paused"]
    assert {Intent.YES, Intent.NO} <= intents["question"]
    assert Intent.NEXT not in intents["question"]
    assert Intent.RESUME in intents["paused"] and Intent.PAUSE not in intents["paused"]
    assert Intent.PAUSE in intents["routine"] and Intent.RESUME not in intents["routine"]
    assert Intent.YES not in intents["routine"]


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("file,label\nyes.wav,yes\n", "manifest.csv:1: the header must name the columns "
                                      "path,expected,context (missing: expected, path)"),
        ("path,expected,context\nyes.wav,yes,question\nyes.wav,nod,question\n",
         "manifest.csv:3: unknown intent 'nod'; use one of: none, next"),
        ("path,expected,context\nmissing.wav,yes,question\n", "manifest.csv:2: no such file"),
        ("path,expected,context\nyes.wav,yes,asleep\n",
         "manifest.csv:2: unknown context 'asleep'; use one of: routine, paused, question"),
        ("path,expected,context\nyes.wav,goto:40,routine\n",
         "manifest.csv:2: 'goto:40': no step '40' in routine 'foot-massage'"),
        ("path,expected,context\n", "manifest.csv: no clips listed"),
    ],
)  # fmt: skip
def test_a_bad_manifest_names_its_line_and_problem(tmp_path, capsys, manifest, message):
    write_wav(tmp_path / "yes.wav", Audio.silence(0.5, 16000))
    (tmp_path / "manifest.csv").write_text(manifest)
    assert main(["eval", str(tmp_path / "manifest.csv"), "--engine", "pocketsphinx"]) == 2
    assert message in capsys.readouterr().err


def test_eval_runs_vosk_with_the_korean_model(tmp_path, capsys):
    from voice_coach.speaking.tts.espeak import EspeakVoice

    voice = EspeakVoice("ko")
    for name, text in [("no", "아니요."), ("next", "계속."), ("help", "도와줘.")]:
        write_wav(tmp_path / f"{name}.wav", voice.synthesize(text))
    voice.close()
    (tmp_path / "manifest.csv").write_text(
        "path,expected,context\nno.wav,no,question\nnext.wav,next,routine\nhelp.wav,help,routine\n"
    )
    out = tmp_path / "ko.json"
    assert main(["eval", str(tmp_path / "manifest.csv"), "--locale", "ko", "--engine", "vosk",
                 "--json", str(out)]) == 0  # fmt: skip
    result = json.loads(out.read_text())
    assert result["engine"] == "vosk" and result["locale"] == "ko"
    assert [c["heard"] for c in result["per_clip"]] == [["no"], ["next"], ["help"]]
    assert result["accuracy"] == 1.0 and result["rejection"] is None
    assert "false accepts per hour  -" in capsys.readouterr().out


def wav_header(rate: int, channels: int = 1, width: int = 2, frames: int = 10) -> bytes:
    """A WAV header as a file might carry it, whatever it says."""
    import struct

    data = bytes(frames * channels * width)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * width, channels * width,
                      width * 8)  # fmt: skip
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", len(data)) + data)  # fmt: skip


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("../outside.wav,yes,question", "manifest.csv:2: '../outside.wav' is outside the manifest's folder"),
        ("/etc/passwd,none,routine", "manifest.csv:2: '/etc/passwd' is outside the manifest's folder"),
        ("text.wav,yes,question", "manifest.csv:2: cannot read"),
        ("one-hertz.wav,yes,question", "manifest.csv:2: cannot read"),
        ("no-rate.wav,yes,question", "sample rate of 0 Hz"),
    ],
)  # fmt: skip
def test_a_clip_outside_the_folder_or_not_a_wav_is_named_by_its_line(tmp_path, capsys, row,
                                                                      message):  # fmt: skip
    folder = tmp_path / "set"
    folder.mkdir()
    write_wav(tmp_path / "outside.wav", Audio.silence(0.5, 16000))
    (folder / "text.wav").write_text("not a sound")
    (folder / "one-hertz.wav").write_bytes(wav_header(1, frames=32000))
    (folder / "no-rate.wav").write_bytes(wav_header(0))
    (folder / "manifest.csv").write_text(f"path,expected,context\n{row}\n")
    assert main(["eval", str(folder / "manifest.csv"), "--engine", "pocketsphinx"]) == 2
    assert message in capsys.readouterr().err


def test_a_manifest_that_is_not_utf8_or_a_folder_is_named(tmp_path, capsys):
    (tmp_path / "latin1.csv").write_bytes("path,expected\nfuß.wav,yes\n".encode("latin-1"))
    assert main(["eval", str(tmp_path / "latin1.csv"), "--engine", "pocketsphinx"]) == 2
    assert "latin1.csv:2: not UTF-8 text" in capsys.readouterr().err
    (tmp_path / "folder.csv").mkdir()
    assert main(["eval", str(tmp_path / "folder.csv"), "--engine", "pocketsphinx"]) == 2
    assert "folder.csv: is a folder" in capsys.readouterr().err
