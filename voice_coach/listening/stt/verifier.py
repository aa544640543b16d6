"""A second opinion on a phrase the recogniser heard: does the utterance sound like that command?

The recognisers' own scores (pocketsphinx's gap to a phone loop, vosk's word confidences) reject
most of what is no command, but chatter that happens to fit a long phrase, and near-miss words,
pass them. Here the utterance is embedded (``stt/embedding.py``) and compared with a bank of
examples from the generated tuning corpus: utterances of each command, and audio that must
trigger nothing, each as the grammar heard it. Four numbers (the recogniser's score, and the
mean similarity of the nearest examples of the command heard, of other commands, and of
nothing) go through a logistic model fitted on the same corpus by ``scripts/fit_verifier.py``,
which writes the bank: one per recogniser and language (``pocketsphinx-en.npz``,
``vosk-ko.npz``), as the score means something different to each.

The bank needs examples of every phrase: with two phrases of each command, "start" (resume) was
rejected every time on the real recordings. Measured on the held-out sets and the real recordings
(docs/benchmarks.md), it understands about as many commands as the score alone with a third to a
half of its false accepts with pocketsphinx, and under a third with vosk's Korean model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice_coach.core.errors import CoachError
from voice_coach.listening.stt.base import GrammarDecoder, Recognition, SecondEar, decode
from voice_coach.listening.stt.embedding import SIZE, SpeechEmbedder

NONE = "none"
"""The bank's label for audio that must trigger nothing."""
NEIGHBOURS = 5
"""How many of the nearest examples of a kind are averaged."""
FEATURES = ("score", "own", "other", "none")
"""The model's inputs, in order."""


def bank_file(engine: str, locale: str) -> Path:
    """Where the bank for a recogniser and language is shipped (it may not exist)."""
    return Path(__file__).with_name(f"{engine}-{locale}.npz")


@dataclass(frozen=True)
class Bank:
    """Examples (normalised embeddings with the intent they say) and the fitted model."""

    mean: np.ndarray
    scale: np.ndarray
    vectors: np.ndarray
    labels: np.ndarray
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    weights: np.ndarray
    """One per feature, then the bias."""

    @classmethod
    def build(cls, embeddings: np.ndarray, labels: list[str]) -> Bank:
        """A bank of these examples (raw embeddings, one per row), with no model fitted yet
        (``dataclasses.replace`` puts one in)."""
        mean = embeddings.mean(axis=0)
        scale = embeddings.std(axis=0) + 1e-6
        count = len(FEATURES)
        unfitted = cls(mean, scale, np.empty((0, SIZE)), np.array(labels), np.zeros(count),
                       np.ones(count), np.zeros(count + 1))  # fmt: skip
        return dataclasses.replace(unfitted, vectors=unfitted.normalised(embeddings))

    def normalised(self, embedding: np.ndarray) -> np.ndarray:
        """Standardised per number, then scaled to length 1 (so a dot product is a cosine)."""
        z = (embedding - self.mean) / self.scale
        return z / np.linalg.norm(z, axis=-1, keepdims=True)

    def features(self, vector: np.ndarray, intent: str, score: float,
                 excluded: np.ndarray | None = None) -> np.ndarray | None:  # fmt: skip
        """The model's inputs for a normalised embedding heard as ``intent`` with the
        recogniser's ``score``; None when the bank has no example of that intent. ``excluded``
        masks examples out (when fitting)."""
        # Not ``self.vectors @ vector``: a matrix product hands the work to OpenBLAS's threads,
        # which then spin idle, counted as the coach's CPU (docs/decisions.md).
        similarity = (self.vectors * vector.astype(np.float32)).sum(axis=1)
        usable = np.ones(len(self.labels), bool) if excluded is None else ~excluded

        def nearest(kind: np.ndarray) -> float | None:
            chosen = np.sort(similarity[kind & usable])[-NEIGHBOURS:]
            return float(chosen.mean()) if len(chosen) else None

        own = nearest(self.labels == intent)
        if own is None:
            return None
        other = nearest((self.labels != intent) & (self.labels != NONE))
        nothing = nearest(self.labels == NONE)
        return np.array([score, own, -1.0 if other is None else other,
                         -1.0 if nothing is None else nothing])  # fmt: skip

    def probability(self, features: np.ndarray) -> float:
        score = ((features - self.feature_mean) / self.feature_scale) @ self.weights[:-1]
        return float(1 / (1 + np.exp(-np.clip(score + self.weights[-1], -50, 50))))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32),
            vectors=self.vectors.astype(np.float16), labels=self.labels,
            feature_mean=self.feature_mean, feature_scale=self.feature_scale,
            weights=self.weights,
        )  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> Bank:
        try:
            with np.load(path, allow_pickle=False) as data:
                bank = cls(
                    data["mean"].astype(np.float64), data["scale"].astype(np.float64),
                    data["vectors"].astype(np.float32), data["labels"],
                    data["feature_mean"], data["feature_scale"], data["weights"],
                )  # fmt: skip
        except (OSError, KeyError, ValueError) as exc:
            raise CoachError(f"{path}: cannot read the verifier's examples ({exc}); "
                             "reinstall voice-coach") from None  # fmt: skip
        if bank.vectors.shape != (len(bank.labels), SIZE) or bank.weights.shape != (
            len(FEATURES) + 1,
        ):
            raise CoachError(f"{path}: the verifier's examples have the wrong shape; "
                             "rebuild them with scripts/fit_verifier.py")  # fmt: skip
        return bank


class EmbeddingVerifier:
    """The confidence that an utterance says the phrase the grammar picked."""

    def __init__(self, embedder: SpeechEmbedder, bank: Bank,
                 intent_of: Callable[[str], str | None]) -> None:  # fmt: skip
        self.embedder = embedder
        self.bank = bank
        self.intent_of = intent_of

    def confidence(self, pcm: bytes, phrase: str, score: float) -> float | None:
        """0 to 1, or None when the bank has no example of the phrase's intent (the caller
        then goes by its own ``score`` alone)."""
        intent = self.intent_of(phrase)
        if intent is None:
            return None
        vector = self.bank.normalised(self.embedder.embed(pcm))
        features = self.bank.features(vector, intent, score)
        return None if features is None else self.bank.probability(features)


class Verified(SecondEar):
    """A :class:`~voice_coach.listening.stt.base.Recognizer`: a grammar decoder whose phrases
    the verifier checks (where there is no command spotter for the language)."""

    def __init__(self, decoder: GrammarDecoder, verifier: EmbeddingVerifier) -> None:
        super().__init__(decoder)
        self.verifier = verifier

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        scored = decode(self.decoder, pcm, phrases)
        if scored is None:
            return None
        said, score = scored
        checked = self.verifier.confidence(pcm, said, score)
        return Recognition(said, self.decoder.alone(score) if checked is None else checked)
