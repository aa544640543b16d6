"""The whole coach through a real audio server: PulseAudio with a null sink as the room.

The coach plays into the sink and listens to its monitor through its default PortAudio devices
(ALSA -> PulseAudio), so it hears its own voice at full level; a "user" plays spoken commands
into the same sink with paplay when the coach falls silent. scripts/test.sh starts the server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.pcm import Audio, active_rms, read_wav, write_wav
from voice_coach.speaking.tts.natural import NaturalVoice

pytestmark = pytest.mark.skipif(
    shutil.which("pactl") is None
    or subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode != 0,
    reason="no PulseAudio server here (scripts/test.sh starts one)",
)


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
        pytest.fail(f"waited in vain; stderr: {stderr}")

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
    before = len([e for e in coach.events() if e["event"] == "heard"])
    for _ in range(3):
        speak(path, voice, text)
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            if len([e for e in coach.events() if e["event"] == "heard"]) > before:
                return
            time.sleep(0.1)


def speak(path: Path, voice: NaturalVoice, text: str) -> None:
    write_wav(path, voice.synthesize(text))
    subprocess.run(["paplay", str(path)], check=True, timeout=20)


def test_steered_by_voice_through_pulseaudio_never_by_itself(tmp_path: Path):
    voice = NaturalVoice()
    recording = tmp_path / "room.wav"
    recorder = subprocess.Popen(["parecord", "--device=room.monitor", "--file-format=wav",
                                 str(recording)])  # fmt: skip
    coach = Session(tmp_path)
    try:
        for question in ("Do you have any cuts", "Do you have diabetic", "Are you pregnant"):
            coach.said(question)
            time.sleep(0.5)
            answer(coach, tmp_path / "no.wav", voice, "No.")
        for heard_next, say in (("Lay the towel flat", "Next."),  # the first step, a 6 s hold
                                ("Pour a little massage oil", "Go back."),
                                ("Lay the towel flat", "Quit.")):  # fmt: skip
            coach.said(heard_next)
            coach.chimed()  # the hold has begun: the coach is quiet
            time.sleep(0.3)
            speak(tmp_path / "command.wav", voice, say)
        coach.said("Do you want to end the session?")
        time.sleep(0.5)
        answer(coach, tmp_path / "yes.wav", voice, "Yes.")
        assert coach.process.wait(timeout=30) == 0
    finally:
        if coach.process.poll() is None:
            coach.process.terminate()
        recorder.terminate()
        recorder.wait(timeout=5)
        voice.close()
    events = coach.events()
    assert [e["intent"] for e in events if e["event"] == "heard"] == [
        "no", "no", "no", "next", "back", "quit", "yes"]  # fmt: skip
    steps = [e["step"] for e in events if e["event"] == "step"]
    assert steps == ["towel", "oil", "towel"]
    assert events[-1] == {"t": events[-1]["t"], "event": "end", "reason": "quit"}
    # The coach's voice really went through the server.
    room = read_wav(recording)
    assert room.seconds > 20 and float(np.sqrt(np.mean(room.samples**2))) > 0.005


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


def test_stop_and_pause_said_over_the_coach_are_obeyed_through_pulseaudio(tmp_path: Path):
    """The person talks while the coach is in the middle of a step's how-to: as loud as the
    coach's voice in the room, then with the coach 6 dB louder. The coach hears its own voice
    at full level through the room's monitor and takes it out (echo cancellation); it never
    obeys itself. How often the first word is obeyed is measured by the barge-in benchmark."""
    voice = NaturalVoice()
    room = RoomRecorder(tmp_path / "room.raw")
    coach = Session(tmp_path)
    try:
        coach.said("Welcome")
        coach_level = active_rms(room.last(8.0))  # the coach's voice, as loud as it is heard
        for question in ("Do you have any cuts", "Do you have diabetic", "Are you pregnant"):
            coach.said(question)
            time.sleep(0.5)
            answer(coach, tmp_path / "no.wav", voice, "No.")
        coach.said("Lay the towel flat")  # the first step is short: on to the next
        coach.chimed()
        speak(tmp_path / "next.wav", voice, "Next.")
        for word, echo_db in (("Stop!", 0.0), ("Pause!", 0.0), ("Stop!", 6.0),
                              ("Pause!", 6.0)):  # fmt: skip
            # A step begins with its title (up to 3 s), then its how-to (10 s or more).
            step = coach.wait_for(lambda e: e["event"] == "step" and e["t"] > coach.last)
            coach.last = step["t"]
            time.sleep(5.0)
            person = voice.synthesize(word).resampled(16000).samples
            level = coach_level * 10 ** (-echo_db / 20)
            write_wav(tmp_path / "word.wav", Audio(person * level / active_rms(person), 16000))
            before = len([e for e in coach.events() if e["event"] == "heard"])
            for _ in range(2):  # like a person who was not obeyed, say it once more
                subprocess.run(["paplay", str(tmp_path / "word.wav")], check=True, timeout=20)
                deadline = time.monotonic() + 2.5
                while time.monotonic() < deadline:
                    if len([e for e in coach.events() if e["event"] == "heard"]) > before:
                        break
                    time.sleep(0.1)
                else:
                    continue
                break
            coach.said("Paused.")
            time.sleep(0.5)
            answer(coach, tmp_path / "next.wav", voice, "Next." if echo_db == 0 or
                   word == "Stop!" else "Quit.")  # fmt: skip
        coach.said("Do you want to end the session?")
        time.sleep(0.5)
        answer(coach, tmp_path / "yes.wav", voice, "Yes.")
        assert coach.process.wait(timeout=30) == 0
    finally:
        if coach.process.poll() is None:
            coach.process.terminate()
        room.close()
        voice.close()
    heard = [e["intent"] for e in coach.events() if e["event"] == "heard"]
    assert heard == ["no", "no", "no", "next", "stop", "next", "pause", "next", "stop", "next",
                     "pause", "quit", "yes"]  # fmt: skip


def pactl(*args: str) -> str:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, check=True).stdout


def test_losing_the_sound_card_pauses_and_it_carries_on_when_it_returns(tmp_path: Path):
    coach = Session(tmp_path)
    try:
        coach.wait_for(lambda e: e["event"] == "say" and e["text"].startswith("Do you have any"))
        # The sound card stops working: PulseAudio suspends the room (its monitor too).
        pactl("suspend-sink", "room", "1")
        lost = coach.wait_for(lambda e: e["event"] == "device" and e["state"] == "lost")
        time.sleep(6)
        pactl("suspend-sink", "room", "0")
        back = coach.wait_for(lambda e: e["event"] == "device" and e["state"] == "back"
                              and e["t"] > lost["t"] + 5, timeout=90)  # fmt: skip
        # It carries on where it was: the question is asked again once it is back.
        again = coach.wait_for(lambda e: e["event"] == "say" and e["t"] >= back["t"]
                               and e["text"].startswith("Do you have any"), timeout=60)  # fmt: skip
        assert again["t"] - lost["t"] > 5
        coach.process.send_signal(signal.SIGTERM)
        assert coach.process.wait(timeout=5) == 0
    finally:
        pactl("suspend-sink", "room", "0")
        if coach.process.poll() is None:
            coach.process.kill()
