"""Barge-in through PulseAudio: "stop" and "pause" said over the coach's voice in the PulseAudio
room, where the microphone is the null sink's monitor, so the coach hears its own voice at full
level (a speaker right beside the microphone), and the person's words are played into the same
sink: as loud as the coach's voice (0 dB) and 6 dB under it (+6 dB echo).

Real-time sessions through the real devices (PortAudio, the speaker's buffer, the server's
timing): after the safety questions, each step's how-to is interrupted 5 s in by one try, and
the coach is then told "next". Reported per word and level: the first word obeyed (taken as
that very command), obeyed within two words, and every command taken that was not said; and
first, over a minute of the coach talking, how much of its echo is taken out
(``bench/pulse_echo.py``). Needs the server that ``scripts/audio-server.sh`` starts; about 15 s
per try.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.barge_in import say, voices
from bench.pulse_echo import pulse_echo
from bench.sets import ROOT

sys.path.insert(0, str(ROOT))

from tests.pulse_room import (
    RoomRecorder,
    Session,
    answer,
    answer_safety,
    heard_count,
    say_until_heard,
)
from voice_coach.audio.pcm import active_rms, write_wav
from voice_coach.speaking.tts.natural import NaturalVoice

KINDS = (("stop", 0.0), ("pause", 0.0), ("stop", 6.0), ("pause", 6.0))
ECHO_SECONDS = 60.0
"""Seconds of the coach talking over which the echo taken out is measured, before the tries."""
INTO_STEP = 5.0
"""Seconds after a step begins (its title, then its how-to) that the word is said."""


def pulse_barge_in(work: Path, tries: int) -> dict[str, object]:
    """The echo taken out; obeyed counts per word and level; the commands taken that nobody
    said."""
    echo = pulse_echo(ECHO_SECONDS)
    todo = [kind for _ in range(tries) for kind in KINDS]
    people = voices()
    counts = {kind: [0, 0, 0] for kind in KINDS}  # tries, first word obeyed, within two
    stray: list[str] = []
    voice = NaturalVoice()  # the person's answers between tries
    session = done = 0
    try:
        while done < len(todo):
            session += 1
            folder = work / f"pulse-{session}"
            folder.mkdir()
            done += _session(folder, voice, todo, done, people, counts, stray)
    finally:
        voice.close()
    obeyed = {f"{word} at {level:+.0f} dB": f"{first}/{n} first word, {two}/{n} within two"
              for (word, level), (n, first, two) in counts.items()}  # fmt: skip
    return {"echo cancellation": echo, "tries": tries, "obeyed": obeyed,
            "commands taken that nobody said": stray}  # fmt: skip


def _session(folder: Path, voice: NaturalVoice, todo: list[tuple[str, float]], first: int,
             people: list[tuple[str, float]], counts: dict, stray: list[str]) -> int:  # fmt: skip
    """One session, making the tries of ``todo`` from ``first`` on as far as its steps allow;
    how many it made."""
    room = RoomRecorder(folder / "room.raw")
    coach = Session(folder)
    made = first
    try:
        coach.said("Welcome")
        coach_level = active_rms(room.last(8.0))  # the coach's voice, as loud as it is heard
        answer_safety(coach, folder / "answer.wav", voice)
        expected = ["no"] * 3
        coach.said("Lay the towel flat")
        coach.chimed()
        answer(coach, folder / "answer.wav", voice, "Next.")
        expected.append("next")
        while made < len(todo):
            step = coach.wait_for(lambda e: e["event"] in ("step", "end") and e["t"] > coach.last,
                                  60)  # fmt: skip
            if step["event"] == "end":  # the routine is over: the rest in another session
                break
            coach.last = step["t"]
            time.sleep(INTO_STEP)
            word, level = todo[made]
            name, speed = people[made // len(KINDS) % len(people)]  # every word in every voice
            spoken = say(name, speed, word.capitalize() + "!")
            write_wav(
                folder / "word.wav", spoken.at_speech_level(coach_level * 10 ** (-level / 20))
            )
            before = heard_count(coach)
            attempt = say_until_heard(coach, folder / "word.wav", 2)
            taken = [e["intent"] for e in coach.events() if e["event"] == "heard"][before:]
            counts[(word, level)][0] += 1
            counts[(word, level)][1] += attempt == 1 and taken[:1] == [word]
            counts[(word, level)][2] += word in taken
            paused = [intent for intent in taken if intent in ("stop", "pause")]
            expected += paused  # the word taken for the other one still pauses
            made += 1
            if paused:
                coach.said("Paused.")
            else:
                coach.chimed()  # not obeyed: wait until the coach is quiet
            time.sleep(0.5)
            last = made == len(todo)
            answer(coach, folder / "answer.wav", voice, "Quit." if last else "Next.")
            expected.append("quit" if last else "next")
        if made == len(todo):
            coach.said("Do you want to end the session?")
            time.sleep(0.5)
            answer(coach, folder / "answer.wav", voice, "Yes.")
            expected.append("yes")
        coach.process.wait(timeout=60)
    finally:
        if coach.process.poll() is None:
            coach.process.terminate()
        room.close()
    heard = [e["intent"] for e in coach.events() if e["event"] == "heard"]
    stray += _unexpected(heard, expected)
    return made - first


def _unexpected(heard: list[str], expected: list[str]) -> list[str]:
    """What was heard beyond what was said, in order (``expected`` holds what the coach took
    for each word said, or the command meant)."""
    left = list(heard)
    for intent in expected:
        if intent in left:
            left.remove(intent)
    return left


def pulse_section(pulse: dict[str, object] | None) -> str:
    """The report's part on echo cancellation and barge-in through PulseAudio, or nothing when
    not measured."""
    if pulse is None:
        return ""
    obeyed, echo = pulse["obeyed"], pulse["echo cancellation"]
    assert isinstance(obeyed, dict) and isinstance(echo, dict)
    rows = "\n".join(f"| {name} | {result} |" for name, result in obeyed.items())
    stray = pulse["commands taken that nobody said"]
    low, median, high = echo["ERLE dB p10 / median / p90"]
    return (
        "\n\n### Echo cancellation and barge-in through PulseAudio (real time, echo at full "
        f"level)\n\nEcho taken out per second of the coach talking ({echo['seconds of echo']} s): "
        f"median {median} dB (10th percentile {low}, 90th {high}); the echo found "
        f"{echo['delay s']} s from its time stamp, moved {echo['delay moves']} times.\n\n"
        "| word, echo level against the person | obeyed |\n|---|---|\n" + rows
        + f"\n\nCommands taken that nobody said: {len(stray)} ({', '.join(stray) or 'none'})."
    )  # fmt: skip
