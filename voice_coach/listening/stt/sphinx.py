"""PocketSphinx: the embedded English recogniser (its wheel ships the model).

Each utterance is decoded twice: with a JSGF grammar of the phrases that make sense now, and with
a free phone loop. A phrase that was really said fits the audio nearly as well as the best
sequence of phones does; anything else (the TV, chatter, a near-miss word) is forced onto some
phrase by the grammar and fits far worse. The per-frame score gap is the confidence, or, with
the speech-embedding model installed, one input of the decision the grammar and the command
spotter take together (``stt/ears.py``).
"""

from __future__ import annotations

import logging
import math
import os
from collections import OrderedDict
from typing import Any

from voice_coach.audio.pcm import SAMPLE_RATE
from voice_coach.core.errors import CoachError
from voice_coach.listening.stt.base import Recognition, recognize_alone

log = logging.getLogger(__name__)

ACCEPT_GAP = -12.5
"""Without the command spotter (no speech-embedding model), accept when the grammar's score
per frame is within this of the phone loop's (log base 1.0001 units per 10 ms frame), on
utterances cleaned as the listener cleans them (noise gate, trimmed to the loud part). On the
generated tuning set this is where a logistic fit puts the threshold when a missed command
counts 1.7 times a wrong one: it accepts 647 right phrases and 244 wrong ones. That tuning set
said two phrases of each command (``make_corpus.py --per-intent 2``), as when the gap alone was
benchmarked; on today's set of every phrase the fit gives -15.9, looser for the many short
phrases, and is not taken, the gap alone being only the fallback. (Before counting was
listened for, the fit gave -11.5; on raw utterances, -6.)"""
GAP_SCALE = 1.5
"""How quickly confidence rises around ``ACCEPT_GAP``: confidence 0.5 at the gap, ~0.73 one
scale above it."""
_LOG_BASE = math.log(1.0001)
_CACHE = 4
"""Compiled grammar searches kept: a few cover the states a session moves between without the
memory of many (docs/decisions.md)."""
_PHONES = "phones"


class PocketSphinxRecognizer:
    """JSGF grammars per state, utterance verification against a phone loop."""

    name = "pocketsphinx"
    locale = "en"
    model_path = None  # the English model in pocketsphinx's wheel
    wants_cleaned = True
    checked = False

    def __init__(self) -> None:
        try:
            from pocketsphinx import Config, Decoder, get_model_path
        except ImportError:
            raise CoachError("pocketsphinx is not installed: run scripts/setup.sh") from None
        # One decoder (one copy of the acoustic model) with two searches, the phrase grammars
        # and a free phone loop; no language model; the lattice pass kept, which ends on half
        # phrases and so ignores half-fitting talk too (docs/decisions.md).
        config = Config(samprate=SAMPLE_RATE, loglevel="FATAL", lm=None, bestpath=True)
        self._decoder: Any = Decoder(config)
        phone_lm = os.path.join(get_model_path(), "en-us", "en-us-phone.lm.bin")
        self._decoder.add_allphone_file(_PHONES, phone_lm)
        self._searches: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._dictionary: dict[str, bool] = {}

    def known(self, phrase: str) -> bool:
        return all(self._in_dictionary(word) for word in phrase.split())

    def _in_dictionary(self, word: str) -> bool:
        # Each word is looked up once: the binding's lookup_word never frees the pronunciation
        # it returns (docs/decisions.md).
        if word not in self._dictionary:
            self._dictionary[word] = bool(self._decoder.lookup_word(word))
        return self._dictionary[word]

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        return recognize_alone(self, pcm, phrases)

    def alone(self, score: float) -> float:
        return 1 / (1 + math.exp(-(score - ACCEPT_GAP) / GAP_SCALE))

    def score(self, pcm: bytes, phrases: tuple[str, ...]) -> tuple[str, float] | None:
        """The phrase the grammar picks and its score gap to the phone loop per frame; None
        for a partial path through the grammar (not a whole phrase: see the lattice pass in
        ``__init__``)."""
        self._decoder.activate_search(self._search(phrases))
        said, score, frames = _decode(self._decoder, pcm)
        if said not in phrases:
            return None
        self._decoder.activate_search(_PHONES)
        _, free, _ = _decode(self._decoder, pcm)
        return said, min(100.0, max(-100.0, (score - free) / max(frames, 1)))

    def _search(self, phrases: tuple[str, ...]) -> str:
        """The name of a search for these phrases, compiled once and kept (LRU)."""
        if phrases in self._searches:
            self._searches.move_to_end(phrases)
            return self._searches[phrases]
        name = f"g{abs(hash(phrases))}"
        grammar = f"#JSGF V1.0;\ngrammar commands;\npublic <command> = {jsgf_tree(phrases)};\n"
        self._decoder.add_jsgf_string(name, grammar)
        self._searches[phrases] = name
        if len(self._searches) > _CACHE:
            _, old = self._searches.popitem(last=False)
            self._decoder.remove_search(old)
        return name


def jsgf_tree(phrases: tuple[str, ...]) -> str:
    """A JSGF expression for ``phrases`` that shares common beginnings ("go to step three",
    "go to step four" -> "go to step ( three | four )"): a flat list of hundreds of phrases makes
    a search graph, and a decoding time, many times larger."""
    tree: dict[str, Any] = {}
    for phrase in phrases:
        node = tree
        for word in phrase.split():
            node = node.setdefault(word, {})
        node[""] = {}  # a phrase may end here

    def expression(node: dict[str, Any]) -> str:
        branches = []
        for word, child in node.items():
            if not word:
                continue
            rest = {key: value for key, value in child.items() if key}
            if not rest:
                branches.append(word)
            elif "" in child:
                branches.append(f"{word} [ {expression(rest)} ]")
            else:
                branches.append(f"{word} {expression(rest)}")
        return branches[0] if len(branches) == 1 else "( " + " | ".join(branches) + " )"

    return expression(tree)


def _decode(decoder: Any, pcm: bytes) -> tuple[str, float, int]:
    """Hypothesis, its score in log units, and the number of frames."""
    # Start each utterance from the model's initial feature normalisation: carried over from
    # the last one, the same audio was seen to decode differently the second time.
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    if hyp is None or hyp.score <= 0:
        return "", -math.inf, decoder.n_frames()
    # The binding gives scores as probabilities; back to the decoder's log units.
    return hyp.hypstr, math.log(hyp.score) / _LOG_BASE, decoder.n_frames()
