"""A coach session through the PulseAudio room (a null sink, its monitor the microphone), and
a person talking into it with paplay: shared by the real-audio tests and the PulseAudio
barge-in benchmark. scripts/audio-server.sh starts the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from voice_coach.audio.pcm import write_wav
from voice_coach.speaking.tts.natural import NaturalVoice


def pulseaudio_running() -> bool:
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode == 0
    except FileNotFoundError:
        return False


class Session:
    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.transcript = tmp_path / "t.jsonl"
        self.last = -1.0
        env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"),
                   XDG_CONFIG_HOME=str(tmp_path / "config"))  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voice_coach", "run", "--quick", "--fresh", "--input", "mic",
             "--output", "speaker", "--engine", "pocketsphinx", "--transcript",
             str(self.transcript), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )  # fmt: skip

    def events(self) -> list[dict]:
        if not self.transcript.exists():
            return []
        return [json.loads(line) for line in self.transcript.read_text().splitlines() if line]

    def wait_for(self, test, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if test(event):
                    return event
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        if self.process.poll() is None:  # its error output ends only when it does
            self.process.kill()
        _, stderr = self.process.communicate(timeout=10)
        raise AssertionError(f"waited in vain; stderr: {stderr}")

    def said(self, text_start: str) -> dict:
        """Wait until the coach has next finished saying something starting with ``text_start``."""
        after = self.last
        event = self.wait_for(lambda e: e["event"] == "say" and e["t"] > after
                              and e["text"].startswith(text_start))  # fmt: skip
        self.last = event["t"]
        return event

    def chimed(self) -> dict:
        """Wait until the next hold has started (its chime played)."""
        after = self.last
        event = self.wait_for(lambda e: e["event"] == "chime" and e["t"] > after)
        self.last = event["t"]
        return event


def answer(coach: Session, path: Path, voice: NaturalVoice, text: str) -> None:
    """Say ``text`` and, like a person who was not understood, say it again (up to 3 times)."""
    write_wav(path, voice.synthesize(text))
    say_until_heard(coach, path, 3, wait=4.0)


def answer_safety(coach: Session, path: Path, voice: NaturalVoice) -> None:
    """Say "No." to each of the three safety questions once the coach has asked it."""
    for question in ("Do you have any cuts", "Do you have diabetic", "Are you pregnant"):
        coach.said(question)
        time.sleep(0.5)
        answer(coach, path, voice, "No.")


def speak(path: Path, voice: NaturalVoice, text: str) -> None:
    write_wav(path, voice.synthesize(text))
    subprocess.run(["paplay", str(path)], check=True, timeout=20)


def heard_count(coach: Session) -> int:
    return len([e for e in coach.events() if e["event"] == "heard"])


def say_until_heard(coach: Session, wav: Path, times: int, wait: float = 2.5) -> int | None:
    """Play ``wav`` into the room until the coach hears something (whatever it takes it for),
    at most ``times`` times, ``wait`` seconds apart; which time it heard, or None."""
    before = heard_count(coach)
    for attempt in range(1, times + 1):
        subprocess.run(["paplay", str(wav)], check=True, timeout=20)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if heard_count(coach) > before:
                return attempt
            time.sleep(0.1)
    return None


class RoomRecorder:
    """What the room's microphone hears (16 kHz raw), readable while it records."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.process = subprocess.Popen(["parec", "--device=room.monitor", "--format=s16le",
                                         "--rate=16000", "--channels=1"],
                                        stdout=path.open("wb"))  # fmt: skip

    def last(self, seconds: float) -> np.ndarray:
        data = self.path.read_bytes()
        samples = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float32) / 32768
        return samples[-round(seconds * 16000) :]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)
