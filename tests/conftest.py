"""Shared fixtures: the shipped routine, its locale data, and private XDG folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.speech_script import Run, coach
from voice_coach.app.catalog import shipped_dir
from voice_coach.core.commands import PhraseBook
from voice_coach.core.plan import Plan
from voice_coach.core.prompts import Prompts
from voice_coach.core.routine import Routine, load_routine

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


def run_coach(env: dict[str, str], lines: list[str], *args: str, tmp: Path) -> Run:
    """``voice-coach run --clock virtual`` as a real process, typed ``lines`` on stdin, with the
    state folders of ``env`` (kept between runs, so a second run can resume)."""
    name = f"transcript-{len(list(tmp.glob('transcript-*')))}"
    return coach(["--clock", "virtual", *args], tmp, name,
                 stdin="".join(f"{line}\n" for line in lines), env=env, fresh=False)  # fmt: skip
