"""The virtual-clock runner: scripted lines, timing rules, and that every run comes to an end."""

from __future__ import annotations

import io
import json
import signal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice_coach.core.plan import Plan
from voice_coach.core.session import Session
from voice_coach.run.runner import Runner, RunParts, ScriptLine, parse_script_line
from voice_coach.run.store import PreferenceStore, ProgressStore
from voice_coach.run.transcript import Transcript
from voice_coach.run.virtual import ScriptInput, VirtualDriver
from voice_coach.speaking.text import TextSpeaker


def make_runner(routine, prompts, phrases, folder: Path, lines: list[str], variant="standard"):
    session = Session(Plan(routine, variant), prompts)
    out = io.StringIO()
    parts = RunParts(session, phrases, TextSpeaker(out), ProgressStore(folder),
                     PreferenceStore(folder), Transcript(folder / "t.jsonl"))  # fmt: skip
    runner = Runner(parts, VirtualDriver(ScriptInput(iter(lines))))
    return runner, out


def events(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "t.jsonl").read_text().splitlines()]


def test_script_lines():
    assert parse_script_line("+12.5 next\n") == ScriptLine(12.5, "next")
    assert parse_script_line("+30") == ScriptLine(30.0, "")
    assert parse_script_line("go to step 3") == ScriptLine(0.0, "go to step 3")
    assert parse_script_line("+x next") == ScriptLine(0.0, "+x next")


def test_a_line_waits_for_silence_then_its_delay(routine, prompts, phrases, tmp_path):
    runner, _ = make_runner(routine, prompts, phrases, tmp_path, ["no", "no", "no", "+20 next"])
    runner.run()
    log = events(tmp_path)
    heard = [e for e in log if e["event"] == "heard"]
    soak_start = next(e for e in log if e["event"] == "step")["t"]
    says_before_next = [e for e in log if e["event"] == "say" and e["t"] < heard[-1]["t"]]
    assert heard[-1]["t"] >= soak_start + 20
    assert says_before_next[-1]["text"].startswith("Soak both feet")


def test_the_timeline_is_consistent(routine, prompts, phrases, tmp_path):
    runner, out = make_runner(routine, prompts, phrases, tmp_path, ["no"] * 3, variant="quick")
    assert runner.run() == "finished"
    log = events(tmp_path)
    times = [e["t"] for e in log]
    assert times == sorted(times)
    assert out.getvalue().splitlines() == [e["text"] for e in log if e["event"] == "say"]


line = st.sampled_from([
    "next", "back", "repeat", "pause", "resume", "stop", "quit", "yes", "no", "step 4",
    "go to toe massage", "other foot", "left foot", "more time", "how long left", "help",
    "slower", "louder", "start over", "skip", "what", "banana", "+45", "+5 next", "+300 resume",
])  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(line, max_size=25))
def test_any_script_comes_to_an_end(routine, prompts, phrases, tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("run")
    runner, _ = make_runner(routine, prompts, phrases, folder, lines, variant="quick")

    def too_long(*_):
        raise AssertionError(f"the run did not end for {lines}")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(20)
    try:
        reason = runner.run()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert reason in {"finished", "quit", "safety", "no-input"}
    log = events(folder)
    assert log[-1] == {"t": log[-1]["t"], "event": "end", "reason": reason}
    assert len(log) < 2000
