#!/usr/bin/env python3
"""Benchmark the coach's voices: load time, time to first audio, and real-time factor.

For each voice: how long a one-sentence step takes from request to audio (the delay before the
coach starts talking), and how many seconds of audio it makes per CPU second over the whole
foot-massage script. Prints a Markdown table.

    .venv/bin/python scripts/bench_tts.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from voice_coach.app.catalog import shipped_dir
from voice_coach.core.errors import CoachError
from voice_coach.core.plan import Plan
from voice_coach.core.routine import load_routine
from voice_coach.speaking.tts.espeak import EspeakVoice
from voice_coach.speaking.tts.natural import NaturalVoice
from voice_coach.speaking.tts.worker import WorkerVoice

STEP = "Hold the heel with one hand."
KOREAN_STEP = "한 손으로 발뒤꿈치를 잡으세요."


def script_texts() -> list[str]:
    plan = Plan(load_routine(shipped_dir() / "foot-massage.toml"))
    texts = [plan.routine.welcome, *(q.question for q in plan.routine.safety)]
    for stop in plan.stops:
        texts += [stop.step.title, plan.intro_text(stop), *(cue.say for cue in stop.cues)]
    return [*texts, plan.routine.closing]


def measure(name: str, make: type[WorkerVoice] | object, step: str, texts: list[str],
            repeats: int) -> list[str]:  # fmt: skip
    started = time.perf_counter()
    voice: WorkerVoice = make()  # type: ignore[operator]
    load = time.perf_counter() - started
    voice.synthesize("Warming up.")
    first = []
    for _ in range(repeats):
        began = time.perf_counter()
        voice.submit(step).result()
        first.append(time.perf_counter() - began)
    cpu, wall = time.process_time(), time.perf_counter()
    audio = sum(voice.synthesize(text).seconds for text in texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    voice.close()
    return [name, f"{load:.2f}", f"{statistics.median(first) * 1000:.0f}",
            f"{audio:.0f}", f"{audio / cpu:.0f}x", f"{audio / wall:.0f}x"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    texts = script_texts()
    rows = [
        measure("default (pyttsx3 + espeak-ng, gmw/en-us)", lambda: EspeakVoice("gmw/en-us"),
                STEP, texts, args.repeats),
        measure("default, Korean (espeak-ng ko)", lambda: EspeakVoice("ko"), KOREAN_STEP,
                [KOREAN_STEP] * 20, args.repeats),
    ]  # fmt: skip
    try:
        rows.append(measure("natural (hibari)", NaturalVoice, STEP, texts, args.repeats))
    except CoachError as exc:
        rows.append(["natural (hibari)", f"not installed: {exc}", "", "", "", ""])
    print(f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"Python {platform.python_version()}\n")  # fmt: skip
    head = ["voice", "load s", "first audio ms (one sentence)", "audio s", "audio s per CPU s",
            "audio s per wall s"]  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
