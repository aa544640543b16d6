"""Shared fixtures: the shipped routine, its locale data, and private XDG folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from voice_coach.catalog import shipped_dir
from voice_coach.commands import PhraseBook
from voice_coach.plan import Plan
from voice_coach.prompts import Prompts
from voice_coach.routine import Routine, load_routine

ROOT = Path(__file__).resolve().parent.parent
TECHNIQUES = [
    "warmup-twists", "arch-rubs", "toe-bends", "foot-spread", "heel-squeeze", "knuckle-work",
    "thumb-work", "pressure-points", "achilles", "side-circles", "toe-massage",
    "finishing-strokes",
]  # fmt: skip


@pytest.fixture(scope="session")
def routine() -> Routine:
    return load_routine(shipped_dir() / "foot-massage.toml")


@pytest.fixture(scope="session")
def plan(routine: Routine) -> Plan:
    return Plan(routine)


@pytest.fixture(scope="session")
def prompts() -> Prompts:
    return Prompts.load("en")


@pytest.fixture(scope="session")
def phrases(routine: Routine) -> PhraseBook:
    return PhraseBook.load("en").with_targets(
        [(s.id, (s.title, *s.aliases, s.id.replace("-", " "))) for s in routine.steps],
        [(s.id, s.name) for s in routine.sides],
    )


@pytest.fixture
def xdg(tmp_path: Path) -> dict[str, str]:
    """Environment for a CLI run with its own config and state folders."""
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return env


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    events: list[dict]

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["event"] == kind]

    @property
    def steps(self) -> list[tuple[str, str | None]]:
        return [(e["step"], e["foot"]) for e in self.of("step")]

    @property
    def end(self) -> str:
        return self.of("end")[-1]["reason"]


def run_coach(env: dict[str, str], lines: list[str], *args: str, tmp: Path) -> Run:
    """``voice-coach run --clock virtual`` as a real process, typed ``lines`` on stdin."""
    transcript = tmp / f"transcript-{len(list(tmp.glob('transcript-*')))}.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "voice_coach", "run", "--clock", "virtual",
         "--transcript", str(transcript), *args],
        input="".join(f"{line}\n" for line in lines), capture_output=True, text=True,
        env=env, timeout=60, check=False,
    )  # fmt: skip
    events = [json.loads(line) for line in transcript.read_text().splitlines()] if (
        transcript.exists()) else []  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, events)
