#!/usr/bin/env python3
"""Fit the judge that decides between the grammar decode and the command spotter
(``voice_coach/listening/stt/judge-<engine>-<locale>.npz``) on the generated tuning corpus,
never on the real recordings that measure it.

Every utterance of the corpus goes through the coach's own listening path; each proposal (the
grammar's phrase, the spotter's likeliest command) is one example, right when it is what the
clip says. A logistic regression on the judge's inputs (``stt/judge.py``), with a wrong
acceptance weighted ``--cost`` times a missed command, gives the confidence the listener
compares with its thresholds.

    .venv/bin/python scripts/make_corpus.py corpus/tune --set tune
    .venv/bin/python scripts/train_spotter.py --write
    .venv/bin/python scripts/fit_judge.py corpus/tune/manifest.csv --write
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
from fit_verifier import fit

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.commands import PhraseBook
from voice_coach.listening.engines import spotter_label
from voice_coach.listening.evaluation import NONE, evaluate, read_manifest
from voice_coach.listening.models import find_embedding
from voice_coach.listening.stt.base import Recognition
from voice_coach.listening.stt.ears import TwoEars, spotted
from voice_coach.listening.stt.embedding import SpeechEmbedder
from voice_coach.listening.stt.judge import (
    FEATURES,
    Judge,
    candidates,
    features,
    judge_file,
)
from voice_coach.listening.stt.sphinx import PocketSphinxRecognizer
from voice_coach.listening.stt.spotter import Spotter, spotter_file

ROOT = Path(__file__).resolve().parent.parent


class Recording(TwoEars):
    """Both ears, deciding nothing: what the grammar heard and the utterance's embedding are
    kept for the fit."""

    def __init__(self, book: PhraseBook) -> None:
        unfitted = Judge(np.zeros(len(FEATURES)), np.ones(len(FEATURES)),
                         np.zeros(len(FEATURES) + 1))  # fmt: skip
        embedder = SpeechEmbedder(find_embedding())  # type: ignore[arg-type]
        spotter = Spotter.load(spotter_file("en"))
        super().__init__(PocketSphinxRecognizer(), embedder, spotter, unfitted,
                         lambda phrase: spotter_label(book, phrase))  # fmt: skip
        self.heard: list[tuple[str, float, str, np.ndarray]] = []

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        heard, gap, phrase_of = self.grammar(pcm, phrases)
        self.heard.append((heard or "", gap, "|".join(phrase_of), self.embedder.frames(pcm)))
        return None


def heard(manifest: Path, cache: Path) -> dict[str, np.ndarray]:
    """Per utterance of the corpus: the clip's label, the grammar's label ("" for no whole
    phrase) and score, the labels that could be said, and the embeddings (ragged). Kept in
    ``cache``: the grammar does not change when the spotter is trained again."""
    key = hashlib.sha256(f"{manifest.resolve()}:{manifest.stat().st_mtime_ns}".encode())
    path = cache / f"judge-{key.hexdigest()[:16]}.npz"
    if path.is_file():
        with np.load(path) as data:
            return dict(data)
    routine = find_routine("foot-massage", "en")
    book = phrase_book(routine)
    recording = Recording(book)
    rows = []
    for clip in read_manifest(manifest, routine):
        recording.heard.clear()
        evaluate([clip], recording, book, routine)
        rows += [(clip.expected.split(":")[0], *row) for row in recording.heard]
    truth, grammar, gaps, allowed, frames = zip(*rows, strict=True)
    found = {"truth": np.array(truth), "grammar": np.array(grammar),
             "gap": np.array(gaps),
             "allowed": np.array(allowed), "lengths": np.array([len(f) for f in frames]),
             "frames": np.concatenate(frames).astype(np.float16)}  # fmt: skip
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, **found)
    return found


def examples(found: dict[str, np.ndarray], spotter: Spotter
             ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:  # fmt: skip
    """The judge's inputs for every proposal, whether it was right, and (truth, proposal).

    The shipped spotter hears every utterance. (Heard instead by a spotter fitted without the
    voice's engine, so as to learn how far to trust it on an unfamiliar voice, the judge
    trusted a good grammar fit over a spotter sure it heard nothing: on the real recordings it
    understood 88.0 % of the commands but took 58 words an hour for commands instead of 42,
    and chatter such as "where did I put my phone?" for "repeat that".)"""
    frames = np.split(found["frames"].astype(np.float32), np.cumsum(found["lengths"])[:-1])
    rows, right, pairs = [], [], []
    for i, truth in enumerate(found["truth"]):
        heard = str(found["grammar"][i]) or None
        probabilities = spotted(spotter, frames[i], str(found["allowed"][i]).split("|"))
        for candidate in candidates(heard, probabilities):
            rows.append(features(candidate, heard, float(found["gap"][i]), probabilities))
            right.append(float(candidate == truth))
            pairs.append((str(truth), candidate))
    return np.array(rows), np.array(right), pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--cost", type=float, default=1.0,
                        help="a wrong acceptance counts this many misses")  # fmt: skip
    parser.add_argument("--cache", type=Path, default=ROOT / "corpus" / "cache")
    parser.add_argument("--write", action="store_true", help="save the judge in the package")
    args = parser.parse_args()
    if find_embedding() is None:
        raise SystemExit("run 'voice-coach models download speech-embedding' first")
    found = heard(args.manifest, args.cache)
    x, right, pairs = examples(found, Spotter.load(spotter_file("en")))
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    grammar = x[:, 0] > 0
    # The spotter alone is judged by how sure it is of the command, and by nothing else: with
    # its doubts as inputs too (nothing, the rival), the fit gave the command's own probability
    # a negative weight, and an utterance it finds most likely nothing passed as a command.
    lone = [FEATURES.index("spotter")]
    alone = np.zeros(len(FEATURES) + 1)
    alone[[*lone, -1]] = fit(z[~grammar][:, lone], right[~grammar], args.cost)
    judge = Judge(mean, scale, np.stack([fit(z[grammar], right[grammar], args.cost), alone]))
    sure = np.array([judge.confidence(row) for row in x]) >= 0.5
    commands = sum(1 for truth, _ in pairs if truth != NONE)
    print(f"{len(right)} proposals ({commands} for a command clip), {int(right.sum())} right")
    named = (("grammar's proposals", grammar), ("judged at 0.5", sure),
             ("the spotter's lone proposals judged at 0.5", sure & ~grammar))  # fmt: skip
    for name, taken in named:
        print(f"{name}: {int((taken & (right > 0)).sum())} right, "
              f"{int((taken & (right == 0)).sum())} wrong")  # fmt: skip
    print(
        f"weights ({', '.join(FEATURES)}, bias), for the grammar's proposals and the "
        f"spotter's lone ones:\n{np.round(judge.weights, 2)}"
    )
    if args.write:
        path = judge_file("pocketsphinx", "en")
        judge.save(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
