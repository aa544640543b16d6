"""Build microphone recordings for end-to-end listening tests.

A session is first run with typed lines (text mode, virtual clock), which gives its timeline: when
each line was taken, and when the coach spoke. Each line is then spoken with a real voice and
placed in a WAV so that it ends just before the moment the typed line was taken: a listening run
on that WAV hears the same things at (nearly) the same times, so the two runs can be compared.
The coach's own voice is added by the run itself (``--room-echo``), so that it follows what
the coach really says in that run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice_coach.audio.pcm import Audio, write_wav

RATE = 16000
END_BEFORE = 0.45
"""A spoken line ends this long before its typed twin was taken (the endpointer's decision time)."""


@dataclass
class Run:
    events: list[dict]
    stdout: str
    stderr: str
    returncode: int

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["event"] == kind]

    @property
    def steps(self) -> list[tuple[str, str | None]]:
        return [(e["step"], e["foot"]) for e in self.of("step")]

    @property
    def end(self) -> str:
        return self.of("end")[-1]["reason"]


def coach(args: list[str], folder: Path, name: str, stdin: str = "",
          env: dict[str, str] | None = None, fresh: bool = True) -> Run:  # fmt: skip
    """``voice-coach run`` as a process; returns its transcript. Its state and settings folders
    are ``folder``'s own unless ``env`` gives them; ``fresh`` ignores saved progress."""
    transcript = folder / f"{name}.jsonl"
    if env is None:
        env = dict(os.environ, XDG_STATE_HOME=str(folder / f"state-{name}"),
                   XDG_CONFIG_HOME=str(folder / "config"))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "voice_coach", "run", *(["--fresh"] if fresh else []),
         "--transcript", str(transcript), *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    events = [json.loads(line) for line in transcript.read_text().splitlines()] if (
        transcript.exists()) else []  # fmt: skip
    return Run(events, done.stdout, done.stderr, done.returncode)


def microphone(typed: Run, speak, path: Path, extra: list[tuple[float, Audio]] = (),
               until: float | None = None) -> list[tuple[float, float, str]]:  # fmt: skip
    """Write the microphone WAV for ``typed``'s lines, spoken by ``speak(text) -> Audio``.

    Returns where each line was placed: (start, end, text). ``extra`` adds sounds at given times;
    ``until`` cuts the recording.
    """
    length = until if until is not None else typed.events[-1]["t"] + 2
    mic = np.zeros(round(length * RATE), dtype=np.float32)
    placed = []
    for heard in typed.of("heard"):
        audio = speak(heard["text"]).resampled(RATE)
        end = heard["t"] - END_BEFORE
        start = end - audio.seconds
        placed.append((start, end, heard["text"]))
        _mix(mic, audio, start)
    for at, audio in extra:
        _mix(mic, audio.resampled(RATE), at)
    write_wav(path, Audio(np.clip(mic, -1, 1), RATE))
    return placed


def _mix(into: np.ndarray, audio: Audio, at: float) -> None:
    first = round(at * RATE)
    if first >= len(into):
        return
    part = audio.samples[: len(into) - first]
    into[first : first + len(part)] += part


def said_spans(run: Run) -> list[tuple[float, float, str]]:
    return [(e["t"], e["end"], e["text"]) for e in run.of("say")]
