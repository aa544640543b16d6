"""The real-time runner with a fake speaker at the port: threads, interruption, the end of input."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from voice_coach.core.events import Say
from voice_coach.core.plan import Plan
from voice_coach.core.session import Session
from voice_coach.run.realtime import RealtimeDriver
from voice_coach.run.runner import Runner, RunParts
from voice_coach.run.store import PreferenceStore, ProgressStore
from voice_coach.run.transcript import Transcript


class FakeSpeaker:
    """Takes ``seconds`` per utterance unless cancelled; records what was cut off."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spoken: list[str] = []
        self.cut: list[tuple[str, float]] = []
        self.speaking = threading.Event()
        self.rate = 0

    def set_voice(self, rate: int, volume: int) -> None:
        self.rate = rate

    def speak(self, item, cancel: threading.Event, start: float) -> None:
        if not isinstance(item, Say):
            return
        text = item.text
        self.spoken.append(text)
        self.speaking.set()
        if cancel.wait(self.seconds):
            self.cut.append((text, time.monotonic()))
        self.speaking.clear()

    def render(self, item, start: float) -> float:
        raise AssertionError("not used in real time")

    def reconnect(self) -> None:
        pass

    def close(self) -> None:
        pass


class HandClock:
    """A session clock the test moves by hand."""

    origin = 0.0

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


def make(routine, prompts, phrases, folder: Path, speaker, script, clock=None):
    parts = RunParts(Session(Plan(routine, "quick"), prompts), phrases, speaker,
                     ProgressStore(folder), PreferenceStore(folder),
                     Transcript(folder / "t.jsonl"))  # fmt: skip
    driver = RealtimeDriver(clock)
    runner = Runner(parts, driver)
    threading.Thread(target=script, args=(driver.line, driver.input_closed), daemon=True).start()
    return runner


def test_a_yes_to_the_first_question_ends_for_safety(routine, prompts, phrases, tmp_path):
    speaker = FakeSpeaker(0.01)

    def script(on_line, on_closed):
        time.sleep(0.3)
        on_line("yes")

    runner = make(routine, prompts, phrases, tmp_path, speaker, script)
    assert runner.run() == "safety"
    assert speaker.spoken[0] == routine.welcome
    assert routine.safety[0].message in speaker.spoken
    log = [json.loads(x) for x in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert [e["event"] for e in log][-1] == "end"
    assert [e["text"] for e in log if e["event"] == "say"] == speaker.spoken


def test_stop_cuts_the_coach_off_at_once(routine, prompts, phrases, tmp_path):
    speaker = FakeSpeaker(5.0)
    clock = HandClock()

    def script(on_line, on_closed):
        speaker.speaking.wait(2)
        clock.t = 3.0
        speaker.seconds = 0.01  # from now on; the welcome is still waiting out its 5 s
        on_line("stop")
        time.sleep(0.3)
        clock.t = 4.0  # session time moves on only after the stop has had its effect
        on_line("quit")
        time.sleep(0.3)
        on_line("yes")

    runner = make(routine, prompts, phrases, tmp_path, speaker, script, clock)
    assert runner.run() == "quit"
    text, _ = speaker.cut[0]
    assert text == routine.welcome
    said = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    welcome = next(e for e in said if e["event"] == "say" and e["text"] == routine.welcome)
    stop = next(e for e in said if e["event"] == "heard" and e["text"] == "stop")
    assert stop["t"] == 3.0 and welcome["end"] == 3.0  # silenced at the moment "stop" was heard
    # Nothing queued behind the welcome was said after the stop.
    assert routine.safety[0].question not in speaker.spoken


def test_when_input_ends_and_nothing_is_scheduled_the_run_ends(routine, prompts, phrases, tmp_path):
    speaker = FakeSpeaker(0.01)

    def script(on_line, on_closed):
        time.sleep(0.2)
        on_line("pause")  # a paused question has no timer: nothing more will happen
        on_closed()

    runner = make(routine, prompts, phrases, tmp_path, speaker, script)
    start = time.monotonic()
    assert runner.run() == "no-input"
    assert time.monotonic() - start < 2
    assert speaker.spoken[-1] == prompts.say("no_input")


def test_an_answer_typed_during_speech_waits_for_the_question(routine, prompts, phrases, tmp_path):
    speaker = FakeSpeaker(0.3)

    def script(on_line, on_closed):
        speaker.speaking.wait(2)
        on_line("yes")  # typed during the welcome: it answers the first question once asked

    runner = make(routine, prompts, phrases, tmp_path, speaker, script)
    assert runner.run() == "safety"
    question = routine.safety[0].question
    assert speaker.spoken.index(question) < speaker.spoken.index(routine.safety[0].message)
    assert speaker.cut == []
