"""The safety check is finished before anything is saved as a place to come back to: quitting
or a signal at any question leaves nothing that would skip a question next time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_coach
from voice_coach.app.catalog import shipped_dir
from voice_coach.core.progress import Progress
from voice_coach.core.routine import load_routine
from voice_coach.run.store import ProgressStore

QUESTIONS = [q.question for q in load_routine(shipped_dir() / "foot-massage.toml").safety]
PROGRESS = "state/voice-coach/progress/foot-massage.standard.en.json"


@pytest.mark.parametrize("answered", range(len(QUESTIONS)))
def test_quitting_at_any_question_saves_no_place_and_the_next_run_asks_every_one(
    xdg, tmp_path: Path, answered: int
):
    first = run_coach(xdg, ["no"] * answered + ["quit", "yes"], tmp=tmp_path)
    assert first.end == "quit" and first.steps == []
    assert first.of("say")[-1]["text"] == (
        "Okay. Goodbye. Next time we start with the safety questions."
    )
    assert not (tmp_path / PROGRESS).exists()
    again = run_coach(xdg, ["no", "no", "no"], "--quick", tmp=tmp_path)
    said = [e["text"] for e in again.of("say")]
    assert all(question in said for question in QUESTIONS)
    assert not any(text.startswith("Welcome back") for text in said)


def test_quitting_at_a_question_after_declining_a_saved_place_drops_that_place(xdg, tmp_path):
    ProgressStore(tmp_path / "state/voice-coach").save(
        Progress("foot-massage", "standard", "arch-rubs", "left", ("achilles",)), "en"
    )
    run = run_coach(xdg, ["start over", "no", "quit", "yes"], tmp=tmp_path)
    assert run.end == "quit"
    assert not (tmp_path / PROGRESS).exists()


def test_quitting_in_the_routine_still_saves_the_place(xdg, tmp_path: Path):
    run = run_coach(xdg, ["no", "no", "yes", "+5", "quit", "yes"], tmp=tmp_path)
    assert run.of("say")[-1]["text"] == "Okay. I have saved your place. Goodbye."
    saved = json.loads((tmp_path / PROGRESS).read_text())
    assert saved["step"] == run.steps[-1][0] and saved["omitted"] == ["achilles"]


SHORT = """
id = "short"
title = "Short"
locale = "en"
welcome = "Hi."
closing = "Done."
[[safety]]
id = "one"
question = "First?"
if_yes = "end"
message = "Stop."
[[safety]]
id = "two"
question = "Second?"
if_yes = "end"
message = "Stop."
[[safety]]
id = "three"
question = "Third?"
if_yes = "omit"
message = "Left out."
omit = ["rub"]
[[steps]]
id = "rub"
title = "Rub"
say = "Rub."
hold = 30
[[steps]]
id = "rest"
title = "Rest"
say = "Rest."
hold = 30
"""
SHORT_QUESTIONS = ["First?", "Second?", "Third?"]


def signal_at_question(tmp_path: Path, answered: int, sig: int) -> tuple[int, str]:
    """Run the coach in real time through a routine with three short questions (spoken text
    takes its reading time in real time), answer ``answered`` of them "no", wait for the next
    one, send ``sig``; the exit status and what it printed on standard error."""
    routine = tmp_path / "short.toml"
    routine.write_text(SHORT)
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # fmt: skip
    transcript = tmp_path / "t.jsonl"
    coach = subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "run", "--input", "text", "--output", "text",
         "--routine", str(routine), "--transcript", str(transcript)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert coach.stdin is not None
    for _ in range(answered):
        coach.stdin.write("no\n")
    coach.stdin.flush()
    deadline = time.monotonic() + 60
    wanted = SHORT_QUESTIONS[answered]
    while time.monotonic() < deadline:
        if transcript.exists() and wanted in transcript.read_text():
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the coach never asked: {wanted}")
    coach.send_signal(sig)
    _, err = coach.communicate(timeout=10)
    return coach.returncode, err


@pytest.mark.parametrize("answered", range(len(SHORT_QUESTIONS)))
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_at_any_question_saves_no_place_and_says_so(tmp_path: Path, answered, sig):
    code, err = signal_at_question(tmp_path, answered, sig)
    assert code == 0, err
    assert "Next time it starts with the safety questions." in err
    assert "Your place is saved" not in err
    assert not (tmp_path / "state/voice-coach/progress/short.standard.en.json").exists()


def test_typed_input_is_held_to_what_a_state_listens_for_as_speech_is(xdg, tmp_path: Path):
    # "next" is not listened for during a question (no phrase of it is in the grammar), so a
    # typed one is not understood either; "resume" is not listened for in a running step.
    run = run_coach(xdg, ["next", "no", "no", "no", "+2 resume"], "--quick", tmp=tmp_path)
    heard = {e["text"]: e["intent"] for e in run.of("heard")}
    assert heard == {"next": None, "no": "no", "resume": None}
    said = [e["text"] for e in run.of("say")]
    assert said[said.index(QUESTIONS[0]) + 1] == "Please answer yes or no."
