"""The sets the listening benchmark measures: the held-out synthetic corpora (built with
make_corpus.py when missing) and the real recordings, labelled as the project's issue 5 says.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository."""

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


SETS = ("synthetic", "real", "korean", "echo", "pulse")
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


def heldout(folder: Path, locale: str) -> Path:
    """The held-out set's manifest, built with make_corpus.py when missing."""
    manifest = folder / "manifest.csv"
    if not manifest.exists():
        script = ROOT / "scripts" / "make_corpus.py"
        subprocess.run([sys.executable, str(script), str(folder), "--set", "heldout",
                        "--locale", locale], check=True)  # fmt: skip
    return manifest
