"""The whole coach through a real audio server: PulseAudio with a null sink as the room.

The coach plays into the sink and listens to its monitor through its default PortAudio devices
(ALSA -> PulseAudio), so it hears its own voice at full level; a "user" plays spoken commands
into the same sink with paplay when the coach falls silent. scripts/test.sh starts the server.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.pulse_room import (
    RoomRecorder,
    Session,
    answer,
    answer_safety,
    pulseaudio_running,
    say_until_heard,
    speak,
)
from voice_coach.audio.pcm import active_rms, read_wav, write_wav
from voice_coach.speaking.tts.natural import NaturalVoice

pytestmark = pytest.mark.skipif(
    not pulseaudio_running(),
    reason="no PulseAudio server here (scripts/test.sh starts one)",
)


def test_steered_by_voice_through_pulseaudio_never_by_itself(tmp_path: Path):
    voice = NaturalVoice()
    recording = tmp_path / "room.wav"
    recorder = subprocess.Popen(["parecord", "--device=room.monitor", "--file-format=wav",
                                 str(recording)])  # fmt: skip
    coach = Session(tmp_path)
    try:
        answer_safety(coach, tmp_path / "no.wav", voice)
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
        answer_safety(coach, tmp_path / "no.wav", voice)
        coach.said("Lay the towel flat")  # the first step is short: on to the next
        coach.chimed()
        speak(tmp_path / "next.wav", voice, "Next.")
        for word, echo_db in (("Stop!", 0.0), ("Pause!", 0.0), ("Stop!", 6.0),
                              ("Pause!", 6.0)):  # fmt: skip
            # A step begins with its title (up to 3 s), then its how-to (10 s or more).
            step = coach.wait_for(lambda e: e["event"] == "step" and e["t"] > coach.last)
            coach.last = step["t"]
            time.sleep(5.0)
            person = voice.synthesize(word).resampled(16000)
            write_wav(
                tmp_path / "word.wav", person.at_speech_level(coach_level * 10 ** (-echo_db / 20))
            )
            say_until_heard(coach, tmp_path / "word.wav", 2)  # once more if not obeyed
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
        try:
            _, stderr = coach.process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            coach.process.kill()
            _, stderr = coach.process.communicate(timeout=10)
            pytest.fail(f"still running 5 s after SIGTERM; stderr: {stderr}")
        assert coach.process.returncode == 0, stderr
    finally:
        pactl("suspend-sink", "room", "0")
        if coach.process.poll() is None:
            coach.process.kill()
