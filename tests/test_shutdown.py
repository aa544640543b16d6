"""Stopping the coach with a signal: quiet at once, place saved, exit 0 within 2 seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voice_coach.core.progress import Progress
from voice_coach.run.store import ProgressStore


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_saves_the_place_and_exits_0_within_2_s(tmp_path: Path, sig):
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    # Start from saved progress, so the run reaches a step after one short question.
    ProgressStore(tmp_path / "state/voice-coach").save(
        Progress("foot-massage", "quick", "arch-rubs", "left"), "en"
    )
    transcript = tmp_path / "t.jsonl"
    coach = subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "run", "--input", "text", "--output", "text",
         "--quick", "--transcript", str(transcript)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert coach.stdin is not None
    coach.stdin.write("resume\n")
    coach.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the first step has begun
        if transcript.exists() and '"event": "step"' in transcript.read_text():
            break
        time.sleep(0.1)
    else:
        pytest.fail("the session never reached its first step")
    sent = time.monotonic()
    coach.send_signal(sig)
    code = coach.wait(timeout=5)
    took = time.monotonic() - sent
    assert code == 0 and took < 2.0, coach.stderr.read() if coach.stderr else ""
    events = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert events[-1]["event"] == "end" and events[-1]["reason"] == "interrupted"
    saved = json.loads(
        (tmp_path / "state/voice-coach/progress/foot-massage.quick.en.json").read_text()
    )
    assert saved["step"] == [e for e in events if e["event"] == "step"][-1]["step"]
