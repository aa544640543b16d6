#!/usr/bin/env python3
"""Soak the listening loop: hours of audio through endpointer, recogniser and phrase parsing on
the virtual clock, watching memory, threads and open files for growth.

The audio is a one-minute room on repeat: spoken commands, spoken sentences and quiet noise.
pocketsphinx runs as the coach runs it: with the speech-embedding verifier when its model is
installed (each command heard then goes through onnxruntime too).

    .venv/bin/python scripts/soak.py [--hours 8]
"""

from __future__ import annotations

import argparse
import collections
import os
import threading
import time
from pathlib import Path

import numpy as np

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.playback import PlaybackLog
from voice_coach.core.states import BARGE_IN
from voice_coach.listening.engines import open_recognizer, unverified
from voice_coach.listening.evaluation import context_intents
from voice_coach.listening.listener import Listener
from voice_coach.speaking.tts.espeak import EspeakVoice

RATE = 16000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def room_minute() -> bytes:
    voice = EspeakVoice("gmw/en-us")
    rng = np.random.default_rng(0)
    minute = rng.normal(0, 0.003, 60 * RATE).astype(np.float32)
    said = [
        "Next.", "The weather will be fine tomorrow, said the man on the radio.", "Repeat.",
        "One, two, three, four.", "How long left?", "Pass me the towel, would you?",
    ]  # fmt: skip
    for index, text in enumerate(said):
        audio = voice.synthesize(text).resampled(RATE).samples
        start = (index * 10 + 2) * RATE
        minute[start : start + len(audio)] += audio
    voice.close()
    return (np.clip(minute, -1, 1) * 32767).astype("<i2").tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=8.0)
    args = parser.parse_args()
    minute = room_minute()
    routine = find_routine("foot-massage", "en")
    phrases = phrase_book(routine)
    hold = context_intents(routine)["routine"]
    playback = PlaybackLog()
    recognizer = open_recognizer("pocketsphinx", "en", phrases)
    print("pocketsphinx " + ("without" if unverified(recognizer) else "with") + " its verifier")
    listener = Listener(recognizer, phrases, playback)
    frames_per_minute = len(minute) // listener.frame_bytes
    minutes = round(args.hours * 60)
    taken: collections.Counter[str] = collections.Counter()
    ignored = 0
    started, cpu = time.monotonic(), time.process_time()
    baseline: tuple[float, int, int] | None = None
    for index in range(minutes):
        speaking = index % 7 == 3  # now and then the coach is "talking" (barge-in rules)
        if speaking:
            playback.said(listener.now, listener.now + 60.0, "Slow and gentle.")
        listener.intents = BARGE_IN if speaking else hold
        for frame in range(frames_per_minute):
            offset = frame * listener.frame_bytes
            utterance = listener.feed(minute[offset : offset + listener.frame_bytes])
            if utterance is None:
                continue
            if utterance.command is None:
                ignored += 1
            else:
                taken[utterance.command.label()] += 1
        if index == 10:  # after warming up: caches filled, grammars compiled
            baseline = (rss_mb(), threading.active_count(), len(os.listdir("/proc/self/fd")))
    end = (rss_mb(), threading.active_count(), len(os.listdir("/proc/self/fd")))
    assert baseline is not None
    print(f"audio: {minutes / 60:.1f} h in {time.monotonic() - started:.0f} s wall, "
          f"{(time.process_time() - cpu) / (minutes * 60):.4f} CPU s per audio s")  # fmt: skip
    print(f"utterances: {taken.total()} taken ({dict(taken.most_common())}), {ignored} set aside")
    print(f"RSS: {baseline[0]:.1f} MB after 10 min, {end[0]:.1f} MB at the end "
          f"(growth {end[0] - baseline[0]:+.1f} MB)")  # fmt: skip
    print(f"threads: {baseline[1]} -> {end[1]}; open files: {baseline[2]} -> {end[2]}")


if __name__ == "__main__":
    main()
