"""The report's plots (matplotlib): the threshold sweep and the confusion matrices."""

from __future__ import annotations

from pathlib import Path

from bench.scores import OURS, PEER, THRESHOLDS, Measured, at_threshold, markdown_table, pct


def sweep(sets: list[Measured], docs: Path, plt: object) -> str:
    """Accuracy against false accepts as the acceptance threshold moves; the peer has no
    threshold to move, so it is one point."""
    figure, axis = plt.subplots(figsize=(6.5, 4))  # type: ignore[attr-defined]
    rows = []
    for number, (bench, results) in enumerate(sets):
        name, ours, theirs = bench.name, results[OURS], results[PEER]
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
