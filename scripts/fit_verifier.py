#!/usr/bin/env python3
"""Place pocketsphinx's acceptance threshold (``ACCEPT_GAP`` in voice_coach/stt/sphinx.py) from
a generated corpus, never from the real recordings that judge it.

Every utterance the grammar turns into a whole phrase is one example: right when the clip says
that command, wrong otherwise (a wrong command, or anything heard in audio that must trigger
nothing). A logistic regression on the score gap, with wrong acceptances weighted ``--cost``
times a missed command, gives the threshold; the script prints it with what it and the current
threshold accept on the set.

    .venv/bin/python scripts/make_corpus.py corpus/tune --set tune
    .venv/bin/python scripts/fit_verifier.py corpus/tune/manifest.csv --cost 0.6
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice_coach.app import phrase_book  # noqa: E402
from voice_coach.catalog import find_routine  # noqa: E402
from voice_coach.evaluation import NONE, evaluate, read_manifest  # noqa: E402
from voice_coach.stt.base import Recognition  # noqa: E402
from voice_coach.stt.sphinx import ACCEPT_GAP, PocketSphinxRecognizer  # noqa: E402


class Recording:
    """The recogniser, accepting every whole phrase and keeping it with its score gap."""

    name = PocketSphinxRecognizer.name
    locale = PocketSphinxRecognizer.locale
    wants_cleaned = PocketSphinxRecognizer.wants_cleaned

    def __init__(self) -> None:
        self.inner = PocketSphinxRecognizer()
        self.scored: list[tuple[str, float]] = []

    def known(self, phrase: str) -> bool:
        return self.inner.known(phrase)

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        scored = self.inner.score(pcm, tuple(p for p in phrases if self.known(p)))
        if scored is None:
            return None
        self.scored.append(scored)
        return Recognition(scored[0], 1.0)


def examples(manifest: Path) -> tuple[np.ndarray, np.ndarray]:
    """Score gaps and labels (1: the right phrase) of every utterance a phrase was heard in."""
    routine = find_routine("foot-massage", "en")
    phrases = phrase_book(routine)
    recognizer = Recording()
    report = evaluate(read_manifest(manifest, routine), recognizer, phrases, routine)
    # The recogniser kept one gap per phrase heard, in the order the clips were heard; the
    # words that are no command (counting) were then ignored by the listener.
    gaps = iter(gap for said, gap in recognizer.scored if phrases.parse(said) is not None)
    labels, ordered = [], []
    for result in report.clips:
        for heard in result.heard:
            ordered.append(next(gaps))
            labels.append(result.expected != NONE and heard == result.expected)
    assert next(gaps, None) is None
    return np.array(ordered), np.array(labels, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, cost: float, l2: float = 1e-2) -> tuple[float, float]:
    """Weighted logistic regression of ``y`` on ``x`` by Newton's method: slope and bias."""
    x1 = np.stack([x, np.ones_like(x)], axis=1)
    weight = np.where(y > 0, 1.0, cost)
    w = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x1 @ w, -50, 50)))
        gradient = x1.T @ (weight * (p - y)) + l2 * w
        hessian = (x1 * (weight * p * (1 - p))[:, None]).T @ x1 + l2 * np.eye(2)
        w -= np.linalg.solve(hessian, gradient)
    return float(w[0]), float(w[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument(
        "--cost", type=float, default=1.0, help="a wrong acceptance counts this many misses"
    )
    args = parser.parse_args()
    gaps, right = examples(args.manifest)
    slope, bias = fit(gaps, right, args.cost)
    print(f"{len(gaps)} utterances heard as a phrase in {args.manifest}: {int(right.sum())} right")
    for name, threshold in (("fitted", -bias / slope), ("current", ACCEPT_GAP)):
        accepted = gaps >= threshold
        print(
            f"{name} ACCEPT_GAP = {threshold:.2f}: accepts {int((accepted & (right > 0)).sum())} "
            f"right and {int((accepted & (right == 0)).sum())} wrong"
        )


if __name__ == "__main__":
    main()
