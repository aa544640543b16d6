#!/usr/bin/env python3
"""Train the command spotter (``voice_coach/listening/stt/spotter-<locale>.npz``) from generated
speech only, reproducibly (seeded), on a 2-core machine in minutes.

Every phrase of every command is said by many voices (``scripts/spotter/voices.py``), each
rendition put through a random microphone and room (``scripts/spotter/augment.py``), cut and
cleaned as the listener does, and embedded by the speech-embedding model; so are words,
sentences and fragments that are no command (``scripts/spotter/texts.py``). The embeddings are
cached (``--cache``), so a second run with other classifier settings only fits. A small
neural network (scikit-learn's MLP) is fitted on the pooled embeddings; its weights are
written for numpy (``voice_coach/listening/stt/spotter.py`` runs it without scikit-learn).
The real recordings in ``../shared/`` are never used: they are how the spotter is judged.
Everything is seeded but Piper's own sampling noise, which its ONNX model draws itself: its
renditions (a fifth of the whole) differ a little from run to run, and so do the weights.

    .venv/bin/pip install -c scripts/constraints.txt -e ".[train]"
    .venv/bin/python scripts/train_spotter.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from make_corpus import CorpusText
from spotter.augment import Augmenter
from spotter.texts import GOTO, NONE, SIDE, command_texts, cuttable, none_texts, spotter_material
from spotter.voices import ESPEAK_VOICES, Synthesiser, Voice, espeak_variants

from voice_coach.app.catalog import find_routine
from voice_coach.app.compose import phrase_book
from voice_coach.core.commands import PhraseBook
from voice_coach.listening.listener import cleaned, padded
from voice_coach.listening.models import find_embedding
from voice_coach.listening.stt.embedding import SpeechEmbedder
from voice_coach.listening.stt.spotter import spotter_file

ROOT = Path(__file__).resolve().parent.parent


def voice_pool(engines: list[str], locale: str) -> list[Voice]:
    """Every voice the machine can make, less those of the tuning and held-out corpora (at the
    speeds they use there): the judge is fitted on the one and the listening measured on the
    other, each in voices the spotter never heard."""
    sets = [CorpusText.load(locale, name) for name in ("tune", "heldout")]
    unheard = {(v.name, s) for text in sets for v in text.voices for s in v.speeds}
    speeds = (0.75, 0.9, 1.0, 1.15, 1.3)
    voices = [Voice("espeak", f"{base}+{variant}", speed) for base in ESPEAK_VOICES
              for variant in ["", *espeak_variants()] for speed in speeds]  # fmt: skip
    voices = [Voice(v.engine, v.name.rstrip("+"), v.speed) for v in voices]
    voices += [Voice("pyttsx3", "gmw/en-us", s) for s in speeds]
    if "hibari" in engines:
        voices += [Voice("hibari", str(seed), s) for seed in range(1, 9)
                   for s in (0.7, 0.9, 1.0, 1.15, 1.35)]  # fmt: skip
    if "piper" in engines:
        voices += [Voice("piper", str(seed), s) for seed in range(8) for s in speeds]
    return [v for v in voices if (v.name, v.speed) not in unheard]


def choose(pool: list[Voice], rng: np.random.Generator, count: int) -> list[Voice]:
    """``count`` voices, each engine by its share: espeak's many voices half the time."""
    by_engine: dict[str, list[Voice]] = {}
    for voice in pool:
        by_engine.setdefault(voice.engine, []).append(voice)
    weights = {"espeak": 0.5, "pyttsx3": 0.1, "hibari": 0.2, "piper": 0.2}
    engines = list(by_engine)
    share = np.array([weights[e] for e in engines])
    picks = rng.choice(len(engines), size=count, p=share / share.sum())
    return [by_engine[engines[i]][int(rng.integers(len(by_engine[engines[i]])))] for i in picks]


Job = tuple[int, str, str, Voice, bool]
"""Seed, text, label, voice, whether to cut the audio short (a fragment)."""

_worker: dict[str, object] = {}


def _start_worker(babble: list[np.ndarray]) -> None:
    _worker["synth"] = Synthesiser()
    _worker["embedder"] = SpeechEmbedder(find_embedding())
    _worker["babble"] = babble


def _run(job: Job) -> list[tuple[str, np.ndarray, str]]:
    seed, text, label, voice, cut = job
    synth: Synthesiser = _worker["synth"]  # type: ignore[assignment]
    embedder: SpeechEmbedder = _worker["embedder"]  # type: ignore[assignment]
    rng = np.random.default_rng(seed)
    speech = synth.say(voice, text)
    if cut:
        speech = speech[: int(len(speech) * rng.uniform(0.35, 0.65))]
    augment = Augmenter(rng, _worker["babble"])
    out = []
    for copy in range(2):
        clip = augment(speech) if copy else augment.clean(speech)
        pcm = (np.clip(clip, -1, 1) * 32767).astype("<i2").tobytes()
        frames = embedder.frames(padded(cleaned(pcm), rng))
        out.append((label, frames.astype(np.float16), voice.engine))
    return out


def jobs(book: PhraseBook, pool: list[Voice], args: argparse.Namespace) -> list[Job]:
    rng = np.random.default_rng(args.seed)
    out: list[Job] = []

    def add(text: str, label: str, count: int, cut: bool = False) -> None:
        for voice in choose(pool, rng, count):
            out.append((int(rng.integers(2**31)), text, label, voice, cut))

    for text, label in command_texts(book, rng, args.targets):
        # A jump or a side only has to be told from the commands: the grammar hears which.
        add(text, label, args.voices // 4 if label in (GOTO, SIDE) else args.voices)
        if label != NONE and cuttable(book, text):
            add(text, NONE, args.voices // 6, cut=True)
    for text in none_texts(book, args.locale, rng):
        add(text, NONE, args.none_voices)
    return out


def embeddings(args: argparse.Namespace) -> tuple[list[np.ndarray], list[str], list[str]]:
    """The frames, labels and engines of every example: from the cache when it holds them."""
    routine = find_routine("foot-massage", args.locale)
    book = phrase_book(routine)
    pool = voice_pool(Synthesiser.engines(), args.locale)
    todo = jobs(book, pool, args)
    key = hashlib.sha256(json.dumps([args.seed, [(j[0], j[1], j[2], j[3].key, j[4]) for j in todo]]
                                    ).encode()).hexdigest()[:16]  # fmt: skip
    cache = args.cache / f"spotter-{args.locale}-{key}.npz"
    if cache.is_file():
        with np.load(cache) as data:
            lengths = data["lengths"]
            frames = np.split(data["frames"].astype(np.float32), np.cumsum(lengths)[:-1])
            return frames, list(data["labels"]), list(data["engines"])
    print(f"{len(todo)} renditions by {len(pool)} voices; embedding (cached in {cache})")
    synth = Synthesiser()
    _, chatter = spotter_material(args.locale)
    babble = [synth.say(v, line) for v in choose(pool, np.random.default_rng(args.seed), 6)
              for line in chatter]  # fmt: skip
    synth.close()
    started = time.monotonic()
    with Pool(args.jobs, initializer=_start_worker, initargs=(babble,)) as workers:
        results = []
        for done, result in enumerate(workers.imap(_run, todo, chunksize=16), 1):
            results.append(result)
            if done % 1000 == 0:
                print(f"  {done}/{len(todo)} in {time.monotonic() - started:.0f} s", flush=True)
    print(f"embedded in {time.monotonic() - started:.0f} s")
    flat = [item for result in results for item in result]
    args.cache.mkdir(parents=True, exist_ok=True)
    np.savez(cache, frames=np.concatenate([f for _, f, _ in flat]),
             lengths=np.array([len(f) for _, f, _ in flat]),
             labels=np.array([label for label, _, _ in flat]),
             engines=np.array([engine for _, _, engine in flat]))  # fmt: skip
    return ([f.astype(np.float32) for _, f, _ in flat], [label for label, _, _ in flat],
            [engine for _, _, engine in flat])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale", default="en")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--voices", type=int, default=40, help="renditions of each phrase")
    parser.add_argument("--none-voices", type=int, default=8, help="of each non-command")
    parser.add_argument("--targets", type=int, default=60, help="jump and side phrases said")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=ROOT / "corpus" / "cache")
    parser.add_argument("--write", action="store_true", help="save the weights in the package")
    args = parser.parse_args()
    frames, labels, engines = embeddings(args)
    from spotter.fit import fit

    spotter, report = fit(frames, labels, engines, args)
    print(json.dumps(report, indent=2))
    if args.write:
        path = spotter_file(args.locale)
        spotter.save(path)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
