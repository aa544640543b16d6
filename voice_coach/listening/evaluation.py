"""Measuring the listening: labelled clips streamed through the coach's own listening path
(endpointer -> recogniser -> phrase book) in real-time-sized chunks, scored per clip.

The manifest is CSV with a header and the columns ``path,expected,context``: ``expected`` is an
intent name (``next``, ``goto:3``, ``goto:arch-rubs``…) or ``none`` for audio that must trigger
nothing; ``context`` is the session state the clip is heard in (``routine``, ``paused`` or
``question``; empty means ``routine``). What the recogniser listens for in each context comes
from a real :class:`Session` driven into that state, so the evaluation hears exactly what a
session would.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from voice_coach.audio.pcm import SAMPLE_RATE, Audio, WavReader, read_wav, room_noise
from voice_coach.core.commands import Intent, PhraseBook
from voice_coach.core.datafile import read_text
from voice_coach.core.errors import CoachError, DataFileError
from voice_coach.core.playback import PlaybackLog
from voice_coach.core.routine import Routine
from voice_coach.core.states import State, listens
from voice_coach.listening.listener import Listener
from voice_coach.listening.stt.base import Recognizer

CONTEXT_STATES = {"routine": State.STEP, "paused": State.PAUSED, "question": State.QUESTION}
"""A manifest's contexts, and the session state each stands for."""
CONTEXTS = tuple(CONTEXT_STATES)
NONE = "none"
CHUNK_SECONDS = 0.1
"""Audio handed over at a time, as a microphone callback would."""
LEAD_SECONDS = 0.5
"""Quiet room before each clip (the endpointer learns the noise floor on it)."""
TAIL_SECONDS = 1.0
"""Quiet room after each clip, so that the endpointer can hear its end."""


@dataclass(frozen=True)
class Clip:
    """One manifest row."""

    path: Path
    expected: str
    context: str


@dataclass
class ClipResult:
    """What the coach made of one clip."""

    path: str
    expected: str
    context: str
    seconds: float
    heard: list[str] = field(default_factory=list)
    """Labels of the commands it triggered, in order."""
    texts: list[str] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """Why utterances that triggered nothing were set aside."""
    doubted: list[tuple[str, float]] = field(default_factory=list)
    """Commands set aside as "not sure enough", with their confidence (for threshold sweeps)."""
    latency_ms: list[float] = field(default_factory=list)
    """End of speech to command, per command (the endpointer's wait plus the decoding)."""

    @property
    def correct(self) -> bool:
        if self.expected == NONE:
            return not self.heard
        return self.heard == [self.expected]


@dataclass
class Report:
    """Totals over a manifest, and the per-clip list."""

    engine: str
    locale: str
    clips: list[ClipResult]
    cpu_seconds: float
    streamed_seconds: float
    """Audio fed to the listener: the clips and the quiet room around them."""
    peak_rss_mb: float

    def summary(self) -> dict[str, object]:
        commands = [c for c in self.clips if c.expected != NONE]
        nones = [c for c in self.clips if c.expected == NONE]
        none_hours = sum(c.seconds for c in nones) / 3600
        audio = sum(c.seconds for c in self.clips)
        latencies = [ms for c in self.clips if c.expected != NONE for ms in c.latency_ms]
        return {
            "engine": self.engine,
            "locale": self.locale,
            "clips": len(self.clips),
            "audio_seconds": round(audio, 1),
            "accuracy": _share(sum(c.correct for c in commands), len(commands)),
            "rejection": _share(sum(c.correct for c in nones), len(nones)),
            "false_accepts": sum(len(c.heard) for c in nones),
            "none_seconds": round(none_hours * 3600, 1),
            "false_accepts_per_hour": (
                round(sum(len(c.heard) for c in nones) / none_hours, 2) if nones else None
            ),
            "cpu_seconds_per_audio_second": round(self.cpu_seconds / self.streamed_seconds, 4),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "latency_ms": {
                "p50": round(float(np.percentile(latencies, 50))) if latencies else None,
                "p95": round(float(np.percentile(latencies, 95))) if latencies else None,
            },
        }

    def to_json(self) -> dict[str, object]:
        return {**self.summary(), "per_clip": [
            {**asdict(c), "correct": c.correct} for c in self.clips
        ]}  # fmt: skip


def _share(right: int, total: int) -> float | None:
    return round(right / total, 4) if total else None


MAX_MANIFEST = 16 << 20
"""A manifest of a hundred thousand clips is a few MB."""
MAX_CLIP_SECONDS = 600.0
"""A clip is one utterance or a stretch of talk: ten minutes is more than any needs."""


def read_manifest(path: Path, routine: Routine) -> list[Clip]:
    """The clips of a manifest; a bad row (or a clip that is not a readable WAV file inside the
    manifest's folder) is a :class:`DataFileError` naming its line."""
    text = read_text(path, MAX_MANIFEST, "a manifest")
    folder = Path(os.path.abspath(path.parent))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = {"path", "expected"} - set(reader.fieldnames or ())
        if missing:
            raise DataFileError(path, 1, "the header must name the columns path,expected,context "
                                f"(missing: {', '.join(sorted(missing))})")  # fmt: skip
        clips = [_clip(path, folder, reader.line_num, row, routine) for row in reader]
    except csv.Error as exc:
        raise DataFileError(path, reader.line_num, f"not valid CSV: {exc}") from None
    if not clips:
        raise DataFileError(path, None, "no clips listed")
    return clips


def _clip(manifest: Path, folder: Path, line: int, row: dict[str | None, object],
          routine: Routine) -> Clip:  # fmt: skip
    """One row of a manifest, checked."""

    def field(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    if not field("path"):
        raise DataFileError(manifest, line, "no path")
    # ".." and absolute paths may not leave the folder; a link placed in it may (on purpose).
    clip = Clip(Path(os.path.normpath(folder / field("path"))), field("expected"),
                field("context") or "routine")  # fmt: skip
    if not clip.path.is_relative_to(folder):
        raise DataFileError(manifest, line, f"'{field('path')}' is outside the manifest's "
                            f"folder ({folder}): clips must be in it or below it")  # fmt: skip
    if not clip.path.is_file():
        raise DataFileError(manifest, line, f"no such file: {clip.path}")
    try:
        WavReader(clip.path).close()
    except CoachError as exc:
        raise DataFileError(manifest, line, str(exc)) from None
    if clip.context not in CONTEXTS:
        raise DataFileError(manifest, line, f"unknown context '{clip.context}'; "
                            f"use one of: {', '.join(CONTEXTS)}")  # fmt: skip
    problem = _label_problem(clip.expected, routine)
    if problem:
        raise DataFileError(manifest, line, problem)
    return clip


def _label_problem(label: str, routine: Routine) -> str | None:
    if label == NONE or label in {i.value for i in Intent if i is not Intent.GOTO}:
        return None
    head, _, target = label.partition(":")
    if head == Intent.GOTO.value and target:
        steps = [s.id for s in routine.steps]
        if target.isdigit() and 1 <= int(target) <= len(routine.steps):
            return None
        if target in steps:
            return None
        return f"'{label}': no step '{target}' in routine '{routine.id}'"
    names = ", ".join([NONE, *(i.value for i in Intent if i is not Intent.GOTO), "goto:N"])
    return f"unknown intent '{label}'; use one of: {names}"


def context_intents(routine: Routine) -> dict[str, frozenset[Intent]]:
    """What a session listens for in each context of a manifest (the table in
    ``core/states.py``)."""
    return {context: listens(state, routine) for context, state in CONTEXT_STATES.items()}


def _named(expected: str, heard: str, routine: Routine) -> str:
    """The label of a command heard, spelt as the manifest spells it when it is that command."""
    return expected if _matches(expected, heard, routine) else heard


def _matches(expected: str, heard: str, routine: Routine) -> bool:
    """Whether a command heard is the one expected (``goto:3`` and ``goto:<the id of step 3>``
    are the same command)."""
    if expected == heard:
        return True
    head, _, target = expected.partition(":")
    heard_head, _, heard_target = heard.partition(":")
    if head != Intent.GOTO.value or heard_head != head:
        return False
    ids = [s.id for s in routine.steps]
    as_id = lambda t: ids[int(t) - 1] if t.isdigit() and 1 <= int(t) <= len(ids) else t  # noqa: E731
    return as_id(target) == as_id(heard_target)


def stream(audio: Audio, rng: np.random.Generator) -> Iterator[bytes]:
    """The clip at 16 kHz between stretches of quiet room, in chunks of ``CHUNK_SECONDS``."""
    speech = audio.resampled(SAMPLE_RATE).samples
    lead = np.zeros(round(LEAD_SECONDS * SAMPLE_RATE), np.float32)
    tail = np.zeros(round(TAIL_SECONDS * SAMPLE_RATE), np.float32)
    samples = np.concatenate([lead, speech, tail])
    samples = samples + room_noise(rng, len(samples))
    pcm = Audio(samples, SAMPLE_RATE).to_int16()
    chunk = round(CHUNK_SECONDS * SAMPLE_RATE) * 2
    for begin in range(0, len(pcm), chunk):
        yield pcm[begin : begin + chunk]


def evaluate(clips: list[Clip], recognizer: Recognizer, phrases: PhraseBook,
             routine: Routine) -> Report:  # fmt: skip
    """Stream every clip through one listener, as the coach has one, endpointing afresh for
    each (as if the coach had just fallen silent)."""
    intents = context_intents(routine)
    rng = np.random.default_rng(0)
    results = []
    streamed = 0.0
    cpu = time.process_time()
    listener = Listener(recognizer, phrases, PlaybackLog())  # the coach never talks here
    for clip in clips:
        audio = read_wav(clip.path, MAX_CLIP_SECONDS)
        result = ClipResult(str(clip.path), clip.expected, clip.context, audio.seconds)
        listener.reset()
        listener.intents = intents[clip.context]
        pending = b""
        for chunk in stream(audio, rng):
            streamed += len(chunk) / 2 / SAMPLE_RATE
            pending += chunk
            while len(pending) >= listener.frame_bytes:
                frame, pending = pending[: listener.frame_bytes], pending[listener.frame_bytes :]
                began = time.perf_counter()
                utterance = listener.feed(frame)
                if utterance is None:
                    continue
                if utterance.command is None:
                    result.ignored.append(utterance.ignored or "not a command")
                    doubted = phrases.parse(utterance.text) if utterance.text else None
                    if doubted is not None:
                        label = _named(clip.expected, doubted.label(), routine)
                        result.doubted.append((label, round(utterance.confidence, 3)))
                    continue
                # Handed over now, or when its decoding (run as soon as it ended) was done.
                decided_at, computing = utterance.decided
                waited = max(listener.now + time.perf_counter() - began,
                             decided_at + computing) - utterance.end  # fmt: skip
                result.heard.append(_named(clip.expected, utterance.command.label(), routine))
                result.texts.append(utterance.text)
                result.confidences.append(round(utterance.confidence, 3))
                result.latency_ms.append(round(waited * 1000, 1))
        results.append(result)
    cpu = time.process_time() - cpu
    return Report(recognizer.name, routine.locale, results, cpu, streamed, peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak memory (``VmHWM``). Not ``ru_maxrss`` where there is a choice:
    Linux carries that over from the parent process across fork and exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(report: Report) -> str:
    """The summary as an aligned text table, then the clips it got wrong."""
    s = report.summary()
    latency = s["latency_ms"]
    assert isinstance(latency, dict)

    def pct(value: object) -> str:
        return "-" if value is None else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]

    rows = [
        ("engine", f"{s['engine']} ({s['locale']})"),
        ("clips", f"{s['clips']} ({s['audio_seconds']} s of audio)"),
        ("accuracy", pct(s["accuracy"])),
        ("rejection", pct(s["rejection"])),
        ("false accepts per hour", "-" if s["false_accepts_per_hour"] is None else
                                   f"{s['false_accepts_per_hour']} "
                                   f"({s['false_accepts']} in {s['none_seconds']} s)"),
        ("latency p50 / p95", f"{latency['p50']} / {latency['p95']} ms"),
        ("CPU s per audio s", str(s["cpu_seconds_per_audio_second"])),
        ("peak RSS", f"{s['peak_rss_mb']} MB"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
    wrong = [c for c in report.clips if not c.correct]
    if wrong:
        lines.append(f"\nwrong ({len(wrong)}):")
        for c in wrong:
            got = ", ".join(c.heard) or "nothing"
            lines.append(f"  {c.path}: expected {c.expected} ({c.context}), heard {got}")
    return "\n".join(lines)
