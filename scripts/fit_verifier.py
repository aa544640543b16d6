#!/usr/bin/env python3
"""Fit a recogniser's verifier from a generated corpus, never from the real recordings that
judge it: the speech-embedding verifier's examples and weights
(``voice_coach/listening/stt/<engine>-<locale>.npz``), the second opinion for a language with
no command spotter (today vosk in Korean; English has two ears: scripts/train_spotter.py and
scripts/fit_judge.py), and, for pocketsphinx, the gap threshold it uses alone when the
speech-embedding model is missing (``ACCEPT_GAP`` in voice_coach/listening/stt/sphinx.py).

Every utterance the grammar turns into a whole phrase is one example: right when the clip says
that command, wrong otherwise (a wrong command, or anything heard in audio that must trigger
nothing). Its embedding goes into the bank, labelled with what the clip says. A logistic
regression, with wrong acceptances weighted ``--cost`` times a missed command, is fitted on the
recogniser's score (pocketsphinx's gap, vosk's least word confidence) with the embedding's
similarities; an example's similarities leave out every clip made from the same utterance (the
corpus names them ``cNNNNN-<condition>``), as the coach never hears its own examples.
``--write`` saves the bank.

    .venv/bin/python scripts/make_corpus.py corpus/tune-ko --set tune --locale ko
    .venv/bin/python scripts/fit_verifier.py corpus/tune-ko/manifest.csv --engine vosk \
        --locale ko --cost 0.6 --write
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.errors import CoachError
from voice_coach.listening.engines import open_recognizer
from voice_coach.listening.evaluation import NONE, evaluate, read_manifest
from voice_coach.listening.models import find_embedding
from voice_coach.listening.stt.base import Recognition
from voice_coach.listening.stt.embedding import SpeechEmbedder
from voice_coach.listening.stt.sphinx import ACCEPT_GAP, PocketSphinxRecognizer
from voice_coach.listening.stt.verifier import FEATURES, Bank, bank_file
from voice_coach.listening.stt.vosk import VoskRecognizer

ROOT = Path(__file__).resolve().parent.parent


class Recording:
    """A recogniser without its verifier, accepting every whole phrase and keeping its own score
    (pocketsphinx's gap, vosk's least word confidence) and the embedding."""

    def __init__(self, inner: PocketSphinxRecognizer | VoskRecognizer,
                 embedder: SpeechEmbedder) -> None:  # fmt: skip
        self.inner = inner
        self.name = inner.name
        self.locale = inner.locale
        self.model_path = inner.model_path
        self.checked = False  # every whole phrase is taken: the fitting decides
        self.wants_cleaned = inner.wants_cleaned
        self.embedder = embedder
        self.heard: list[tuple[str, float, np.ndarray]] = []

    def known(self, phrase: str) -> bool:
        return self.inner.known(phrase)

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        scored = self.inner.score(pcm, tuple(p for p in phrases if self.known(p)))
        if scored is None:
            return None
        self.heard.append((*scored, self.embedder.embed(pcm)))
        return Recognition(scored[0], 1.0)


@dataclasses.dataclass
class Examples:
    """One row per utterance heard as a command phrase."""

    scores: np.ndarray
    """The recogniser's own: pocketsphinx's gap, vosk's least word confidence."""
    right: np.ndarray
    intents: list[str]
    """The intent of the phrase heard."""
    labels: list[str]
    """What the clip says: an intent (``goto:3`` counts as ``goto``) or ``none``."""
    sources: np.ndarray
    embeddings: np.ndarray


def examples(manifest: Path, recognizer: Recording) -> Examples:
    routine = find_routine("foot-massage", recognizer.locale)
    phrases = phrase_book(routine)
    report = evaluate(read_manifest(manifest, routine), recognizer, phrases, routine)
    # One entry per phrase heard, in the order the clips were heard; the words that are no
    # command (counting) were then ignored by the listener.
    heard = iter(h for h in recognizer.heard if phrases.parse(h[0]) is not None)
    rows = []
    for result in report.clips:
        for label in result.heard:
            said, score, embedding = next(heard)
            command = phrases.parse(said)
            assert command is not None
            right = result.expected != NONE and label == result.expected
            source = Path(result.path).stem.split("-")[0]
            rows.append((score, right, command.intent.value, result.expected.split(":")[0],
                         source, embedding))  # fmt: skip
    assert next(heard, None) is None
    scores, right, intents, labels, sources, embeddings = zip(*rows, strict=True)
    return Examples(np.array(scores), np.array(right, dtype=float), list(intents), list(labels),
                    np.array(sources), np.stack(embeddings))  # fmt: skip


def fit(x: np.ndarray, y: np.ndarray, cost: float, l2: float = 1e-2) -> np.ndarray:
    """Weighted logistic regression of ``y`` on the columns of ``x`` by Newton's method: one
    weight per column, then the bias."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    weight = np.where(y > 0, 1.0, cost)
    w = np.zeros(x1.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x1 @ w, -50, 50)))
        gradient = x1.T @ (weight * (p - y)) + l2 * w
        hessian = (x1 * (weight * p * (1 - p))[:, None]).T @ x1 + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w


def accepted(name: str, accept: np.ndarray, right: np.ndarray) -> str:
    return (f"{name}: accepts {int((accept & (right > 0)).sum())} right and "
            f"{int((accept & (right == 0)).sum())} wrong")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--engine", choices=("pocketsphinx", "vosk"), default="pocketsphinx")
    parser.add_argument("--locale", default="en", help="the corpus's language (default en)")
    parser.add_argument(
        "--cost", type=float, default=1.0, help="a wrong acceptance counts this many misses"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="save the bank to voice_coach/listening/stt/ENGINE-LOCALE.npz",
    )
    args = parser.parse_args()
    folder = find_embedding()
    if folder is None:
        raise SystemExit("run 'voice-coach models download speech-embedding' first")
    try:
        # The coach's own choice of recogniser and model, with its messages for what is
        # missing. Its verifier is never asked: Recording reads the recogniser's own score.
        phrases = phrase_book(find_routine("foot-massage", args.locale))
        opened = open_recognizer(args.engine, args.locale, phrases)
    except CoachError as error:
        raise SystemExit(str(error)) from None
    assert isinstance(opened, PocketSphinxRecognizer | VoskRecognizer)
    found = examples(args.manifest, Recording(opened, SpeechEmbedder(folder)))
    right = found.right
    print(f"{len(right)} utterances heard as a phrase in {args.manifest}: {int(right.sum())} right")

    if args.engine == "pocketsphinx":
        slope, bias = fit(found.scores[:, None], right, args.cost)
        for name, threshold in (("fitted", -bias / slope), ("current", ACCEPT_GAP)):
            print(accepted(f"gap alone, {name} ACCEPT_GAP = {threshold:.2f}",
                           found.scores >= threshold, right))  # fmt: skip
    else:
        print(accepted("confidence alone, at 0.5", found.scores >= 0.5, right))

    bank = Bank.build(found.embeddings, found.labels)
    features = []
    for i, vector in enumerate(bank.vectors):
        row = bank.features(vector, found.intents[i], found.scores[i],
                            excluded=found.sources == found.sources[i])  # fmt: skip
        if row is None:
            raise CoachError(f"no example of '{found.intents[i]}' in {args.manifest}")
        features.append(row)
    x = np.array(features)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    weights = fit((x - mean) / scale, right, args.cost)
    bank = dataclasses.replace(bank, feature_mean=mean, feature_scale=scale, weights=weights)
    probability = np.array([bank.probability(row) for row in x])
    print(accepted("score with the embedding", probability >= 0.5, right))
    print(f"weights ({', '.join(FEATURES)}, bias):", np.round(weights, 2))
    if args.write:
        path = bank_file(args.engine, args.locale)
        bank.save(path)
        print(f"wrote {path} ({path.stat().st_size // 1000} kB, {len(right)} examples)")


if __name__ == "__main__":
    main()
