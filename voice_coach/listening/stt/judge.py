"""One decision from two ears: the grammar decode and the command spotter each propose a
command, and one calibrated confidence decides.

For each proposal (the grammar's phrase, the spotter's likeliest command) seven numbers go
through a logistic model: whether the grammar heard it and how well its phrase fits the audio
against a free phone loop (the gap), how likely the spotter finds it (outright, and as a share
of all the commands it hears: a voice unlike its training voices often leaves it unsure whether
anything was said, yet sure which command), how likely it finds nothing and the likeliest other
command, and whether the grammar found no whole phrase at all. The grammar's
own proposals and the spotter's lone ones are weighed by two models: a lone spotter is judged
by how sure it is of the command alone, and must be far surer. Agreement is trusted; a
lone, unsure ear is not; the spotter alone can bring in a command the grammar missed when it is
sure of it. The model is fitted by ``scripts/fit_judge.py`` on the generated tuning corpus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice_coach.core.errors import CoachError
from voice_coach.listening.stt.spotter import NOTHING

FEATURES = ("grammar", "gap", "spotter", "share", "nothing", "rival", "silent")
"""The model's inputs, in order."""
FLOOR = 1e-4
"""Probabilities are floored here before their logarithm."""
GAP_RANGE = (-40.0, 10.0)
"""The gap is clipped to this (log units per frame): beyond it, a fit is as bad or as good."""
ONLY_WITH_GRAMMAR = frozenset({"goto", "side"})
"""Spotter labels it cannot act on alone: the grammar hears which step or side."""


def judge_file(engine: str, locale: str) -> Path:
    return Path(__file__).with_name(f"judge-{engine}-{locale}.npz")


def features(candidate: str, heard: str | None, gap: float,
             probabilities: dict[str, float]) -> np.ndarray:  # fmt: skip
    """The judge's inputs for ``candidate``: ``heard`` is the grammar's label (None when it
    found no whole phrase), ``gap`` its score, ``probabilities`` the spotter's over what may be
    said now."""
    said = heard == candidate
    rival = max((p for label, p in probabilities.items()
                 if label not in (candidate, NOTHING)), default=0.0)  # fmt: skip
    return np.array([
        float(said),
        float(np.clip(gap, *GAP_RANGE)) if said else GAP_RANGE[0],
        math.log(max(FLOOR, probabilities.get(candidate, 0.0))),
        math.log(max(FLOOR, probabilities.get(candidate, 0.0))
                 / max(FLOOR, 1.0 - probabilities.get(NOTHING, 0.0))),
        math.log(max(FLOOR, probabilities.get(NOTHING, 0.0))),
        math.log(max(FLOOR, rival)),
        float(heard is None),
    ])  # fmt: skip


def candidates(heard: str | None, probabilities: dict[str, float]) -> list[str]:
    """The commands proposed: the grammar's, or, when the grammar found no whole phrase, the
    spotter's likeliest. Where the grammar heard another phrase, even a word that is no command
    ("on", "three"), the spotter does not overrule it: on the real recordings that took 40
    more words an hour for commands and understood no more of them."""
    if heard is not None:
        return [] if heard == NOTHING else [heard]
    spotted = max(probabilities, key=lambda label: probabilities[label])
    return [] if spotted in (NOTHING, *ONLY_WITH_GRAMMAR) else [spotted]


@dataclass(frozen=True)
class Judge:
    """Two logistic models on standardised :data:`FEATURES`: for what the grammar heard, and
    for what the spotter alone proposes."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    """Two rows (the grammar's proposals, the spotter's lone ones): one weight per feature,
    then the bias."""

    def confidence(self, row: np.ndarray) -> float:
        weights = self.weights[0 if row[0] else 1]
        z = float(((row - self.mean) / self.scale) @ weights[:-1] + weights[-1])
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))

    def save(self, path: Path) -> None:
        np.savez(path, mean=self.mean, scale=self.scale, weights=self.weights,
                 features=np.array(FEATURES))  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> Judge:
        try:
            with np.load(path, allow_pickle=False) as data:
                judge = cls(data["mean"], data["scale"], data["weights"])
                names = tuple(str(name) for name in data["features"])
        except (OSError, KeyError, ValueError) as exc:
            raise CoachError(f"{path}: cannot read the listening judge ({exc}); "
                             "reinstall voice-coach") from None  # fmt: skip
        if names != FEATURES or judge.weights.shape != (2, len(FEATURES) + 1):
            raise CoachError(f"{path}: the listening judge was fitted on other inputs; "
                             "rebuild it with scripts/fit_judge.py")  # fmt: skip
        return judge
