"""Barge-in: "stop" and "pause" said over the coach's own voice, in the simulated room.

A session is run once with typed answers (virtual clock), giving the coach's timeline and its
voice's level. Then, for each try, a voice of the held-out corpus says the word a second into
one of the coach's longer lines, and a listening run hears the microphone (the person at
-30 dBFS) with the coach's voice added back by the room (``--room-echo``) at a gain that makes
its echo ``level`` dB louder than the person (0 dB: as loud; +6 dB: louder). Obeyed: the word
taken as that command within 1.5 s of its start. Self-triggers: the whole session at the same
echo with nobody saying anything but the answers, and anything taken besides them.

A try only measures barge-in if the coach is talking when the word is said: the listening run
must follow the typed one, so the safety answers are said by a held-out voice whose "no" the
coach understands (the first whose quiet session reaches the routine), and a try in which the
coach was not talking at that moment stops the benchmark rather than count as obeyed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from bench.scores import markdown_table
from bench.sets import ROOT

sys.path.insert(0, str(ROOT))

from make_corpus import CorpusText

from tests.speech_script import Run, coach, microphone
from voice_coach.audio.pcm import SAMPLE_RATE, Audio, active_rms, read_wav

ANSWERS = "+2 no\n+2 no\n+2 no\n"
WORDS = ("stop", "pause")
LEVELS = (0.0, 6.0)
PERSON = 0.03
"""The person's level at the microphone (RMS of their speech, full scale 1: -30 dBFS), so that
the coach's echo 6 dB louder still fits in 16 bits: a clipped echo is no longer the sound that
was played, and no canceller takes it out."""


def say(voice: str, speed: float, text: str) -> Audio:
    """``text`` in an espeak-ng voice of the held-out corpus."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(round(170 * speed)), "-w", out.name,
                        text], check=True)  # fmt: skip
        return read_wav(Path(out.name)).resampled(SAMPLE_RATE)


def said(voice: tuple[str, float], text: str) -> Audio:
    """``text`` said by the person in ``voice`` (name, speed) at the person's level."""
    return say(*voice, text).at_speech_level(PERSON)


def voices() -> list[tuple[str, float]]:
    held_out = CorpusText.load("en", "heldout")
    return [(v.name, v.speeds[0]) for v in held_out.voices if v.engine == "espeak"]


def listen(work: Path, name: str, mic: Path, gain_db: float) -> Run:
    return coach(["--quick", "--input", str(mic), "--engine", "pocketsphinx", "--room-echo",
                  f"{gain_db:.2f}", "--output", str(work / f"{name}.wav")], work, name)  # fmt: skip


def barge_in(work: Path, tries: int) -> dict[str, object]:
    """Obeyed counts per word and level, and self-triggers per level."""
    typed = coach(["--quick", "--clock", "virtual", "--input", "text", "--output",
                   str(work / "typed.wav")], work, "typed", stdin=ANSWERS)  # fmt: skip
    coach_level = active_rms(read_wav(work / "typed.wav").resampled(SAMPLE_RATE).samples)
    first_step = next(e["t"] for e in typed.of("step"))
    # The farewell is left out: by then the routine is over and nothing is listened for.
    long_lines = [e for e in typed.of("say")[:-1] if e["t"] > first_step and e["end"] - e["t"] > 3]
    chosen = [long_lines[round(i)] for i in np.linspace(0, len(long_lines) - 1, tries)]
    people = voices()
    said_no, triggers, answerer = answering(work, typed, people, coach_level)

    jobs = []
    for level in LEVELS:
        for word in WORDS:
            for i, line in enumerate(chosen):
                voice = people[i % len(people)]
                spoken = said(voice, word.capitalize() + "!")
                gain = level + 20 * np.log10(PERSON / coach_level)
                jobs.append((level, word, i, line["t"] + 1.0, spoken, gain))

    def one(job: tuple) -> tuple[float, str, bool, list[str]]:
        level, word, i, at, spoken, gain = job
        name = f"{word}-{level:+.0f}-{i}"
        mic = work / f"{name}-mic.wav"
        microphone(typed, said_no, mic, extra=[(at, spoken)], until=at + 4)
        heard = listen(work, name, mic, gain)
        if not any(e["t"] <= at <= e["end"] for e in heard.of("say")):
            raise SystemExit(f"barge-in try {name}: the coach was not talking at {at:.1f} s "
                             f"(its run went another way: {work / name}.jsonl)")  # fmt: skip
        obeyed = any(e["intent"] == word and at - 0.3 < e["start"] < at + 1.5
                     for e in heard.of("heard"))  # fmt: skip
        others = [e["intent"] for e in heard.of("heard") if e["intent"] not in ("no", word)]
        return level, word, obeyed, others

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one, jobs))
    obeyed = {f"{word} at {level:+.0f} dB": sum(ok for lv, w, ok, _ in results
                                                 if lv == level and w == word)
              for level in LEVELS for word in WORDS}  # fmt: skip
    stray = sum(len(others) for *_, others in results)
    return {"tries": tries, "obeyed": obeyed, "other commands taken in the tries": stray,
            "self-triggers over the whole session": triggers,
            "answers said by": answerer}  # fmt: skip


def answering(work: Path, typed: Run, people: list[tuple[str, float]], coach_level: float
              ) -> tuple[Callable[[str], Audio], dict[str, int], str]:  # fmt: skip
    """The safety answers in the first held-out voice whose quiet sessions (nobody talking over
    the coach) reach the routine at every echo level, and the commands taken in those sessions
    besides the answers (self-triggers), and that voice's name."""
    steps = len(typed.of("step"))
    for voice in people:
        said_no = partial(said, voice)
        triggers: dict[str, int] = {}
        for level in LEVELS:
            name = f"quiet-{voice[0]}-{level:+.0f}"
            mic = work / f"{name}-mic.wav"
            microphone(typed, said_no, mic)
            heard = listen(work, name, mic, level + 20 * np.log10(PERSON / coach_level))
            if len(heard.of("step")) < steps:
                break
            triggers[f"{level:+.0f} dB"] = len([e for e in heard.of("heard")
                                                if e["intent"] != "no"])  # fmt: skip
        else:
            return said_no, triggers, voice[0]
    raise SystemExit("barge-in: no held-out voice's safety answers took the coach to the routine")


def echo_section(echo: dict[str, object] | None) -> str:
    """The report's part on barge-in, or nothing when it was not measured."""
    if echo is None:
        return ""
    obeyed = echo["obeyed"]
    triggers = echo["self-triggers over the whole session"]
    assert isinstance(obeyed, dict) and isinstance(triggers, dict)
    tries = echo["tries"]
    return (
        "\n\n### Barge-in: said over the coach's own voice (simulated room, echo cancelled)\n\n"
        + markdown_table(["word, echo level against the person", "obeyed"],
                         [[name, f"{count}/{tries}"] for name, count in obeyed.items()])
        + "\n\nOther commands taken during those tries: "
        + f"{echo['other commands taken in the tries']}. Self-triggers over the whole session "
        + "with nobody talking over the coach: "
        + ", ".join(f"{count} at {level}" for level, count in triggers.items()) + "."
    )  # fmt: skip
