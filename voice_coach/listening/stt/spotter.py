"""The command spotter: a second ear beside the grammar decode.

A small neural network over the speech-embedding model's window embeddings (Lin et al. 2020;
openWakeWord trains its wake words the same way) says how likely an utterance is each of the
locale's commands, a jump (``goto``) or a side (``side``: the grammar hears which one), or
nothing. It hears differently from the grammar decode (a whole-utterance sound pattern, not a
path through phones), so the two make different mistakes: see ``stt/judge.py`` for how they
decide together. Trained by ``scripts/train_spotter.py`` on generated speech only; the weights
(about 0.2 MB) ship in the package with their model card (``spotter-<locale>.md``), and run
here in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice_coach.core.errors import CoachError

NOTHING = "none"


def spotter_file(locale: str) -> Path:
    """Where the spotter for a language is shipped (it may not exist)."""
    return Path(__file__).with_name(f"spotter-{locale}.npz")


def features(frames: np.ndarray) -> np.ndarray:
    """What the network sees of an utterance: the mean and maximum of its window embeddings (96
    numbers every 80 ms), and the means of its first, middle and last thirds (the order of its
    sounds: "go back" is not "back go"; on voices left out of the training this told 5 to 8 in
    100 more commands apart than the spread in their place)."""
    third = len(frames) // 3
    thirds = (frames[: max(1, third)], frames[third : max(third + 1, 2 * third)],
              frames[min(len(frames) - 1, 2 * third) :])  # fmt: skip
    return np.concatenate([frames.mean(axis=0), frames.max(axis=0),
                           *(part.mean(axis=0) for part in thirds)])  # fmt: skip


@dataclass(frozen=True)
class Spotter:
    """Standardisation, then ReLU layers, then a softmax over ``labels``."""

    labels: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    def probabilities(self, frames: np.ndarray) -> dict[str, float]:
        """How likely the utterance with these window embeddings is each label."""
        x = (features(frames) - self.mean) / self.scale
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            # Not ``x @ w`` on a matrix: the product goes through OpenBLAS's threads, which then
            # spin idle and count as the coach's CPU (docs/decisions.md).
            x = (x[:, None] * w).sum(axis=0) + b
            if i < len(self.weights) - 1:
                x = np.maximum(x, 0)
        x = np.exp(x - x.max())
        return dict(zip(self.labels, (x / x.sum()).tolist(), strict=True))

    def save(self, path: Path) -> None:
        arrays = {f"w{i}": w.astype(np.float32) for i, w in enumerate(self.weights)}
        arrays |= {f"b{i}": b.astype(np.float32) for i, b in enumerate(self.biases)}
        np.savez_compressed(path, labels=np.array(self.labels), mean=self.mean.astype(np.float32),
                            scale=self.scale.astype(np.float32), **arrays)  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> Spotter:
        try:
            with np.load(path, allow_pickle=False) as data:
                layers = sum(1 for name in data.files if name.startswith("w"))
                spotter = cls(
                    tuple(str(label) for label in data["labels"]), data["mean"], data["scale"],
                    tuple(data[f"w{i}"] for i in range(layers)),
                    tuple(data[f"b{i}"] for i in range(layers)),
                )  # fmt: skip
        except (OSError, KeyError, ValueError) as exc:
            raise CoachError(f"{path}: cannot read the command spotter ({exc}); "
                             "reinstall voice-coach") from None  # fmt: skip
        shapes_fit = spotter.weights and spotter.weights[-1].shape[1] == len(spotter.labels)
        if not shapes_fit or NOTHING not in spotter.labels:
            raise CoachError(f"{path}: the command spotter's weights do not fit its labels; "
                             "rebuild them with scripts/train_spotter.py")  # fmt: skip
        return spotter
