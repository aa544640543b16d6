"""Scoring results: what a clip's listener took at a threshold, shares, and markdown tables."""

from __future__ import annotations

from bench.sets import BenchSet


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


OURS = "voice-coach"
PEER = "peer"
Measured = tuple[BenchSet, dict[str, dict]]
"""A set, with what each listener made of it: the coach (``OURS``), the peer (``PEER``) and,
where the coach has two ears, each ear alone."""


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
