"""Two ears: the grammar decode and the command spotter, one decision (``stt/judge.py``).

The grammar decoder (pocketsphinx, or vosk) says which phrase fits and how well; the spotter
hears the whole utterance's sound pattern. The spotter's probabilities are renormalised over
what may be said now, so that in a yes/no question "yes" competes with "no" and nothing, not
with "next".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from voice_coach.listening.stt.base import GrammarDecoder, Recognition, SecondEar
from voice_coach.listening.stt.embedding import SpeechEmbedder
from voice_coach.listening.stt.judge import ONLY_WITH_GRAMMAR, Judge, candidates, features
from voice_coach.listening.stt.spotter import NOTHING, Spotter


class TwoEars(SecondEar):
    """A :class:`~voice_coach.listening.stt.base.Recognizer` from a grammar decoder and a
    spotter; ``label_of`` names a phrase's spotter label (an intent, ``goto``, ``side`` or
    ``none``)."""

    def __init__(self, decoder: GrammarDecoder, embedder: SpeechEmbedder, spotter: Spotter,
                 judge: Judge, label_of: Callable[[str], str],
                 alone: bool = False) -> None:  # fmt: skip
        super().__init__(decoder)
        self.embedder = embedder
        self.spotter = spotter
        self.judge = judge
        self.label_of = label_of
        self.alone = alone
        """The spotter decides alone, without the grammar (to measure it)."""

    def hear(self, pcm: bytes, phrases: tuple[str, ...]
             ) -> tuple[str | None, float, dict[str, float], dict[str, str]]:  # fmt: skip
        """What each ear makes of the utterance: the grammar's label and score, the spotter's
        probabilities over what may be said now, and a phrase for each label."""
        heard, gap, phrase_of = self.grammar(pcm, phrases)
        return heard, gap, spotted(self.spotter, self.embedder.frames(pcm), phrase_of), phrase_of

    def grammar(self, pcm: bytes, phrases: tuple[str, ...]
                ) -> tuple[str | None, float, dict[str, str]]:  # fmt: skip
        """The grammar's label (None for no whole phrase) and score, and a phrase of each label
        that may be said now (the grammar's own for its label)."""
        usable = tuple(p for p in phrases if self.decoder.known(p))
        phrase_of = self._by_label(usable)
        scored = self.decoder.score(pcm, usable) if usable else None
        if scored is None:
            return None, 0.0, phrase_of
        heard = self.label_of(scored[0])
        phrase_of[heard] = scored[0]
        return heard, scored[1], phrase_of

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        if self.alone:
            return self._spotter_alone(pcm, phrases)
        heard, gap, probabilities, phrase_of = self.hear(pcm, phrases)
        best: Recognition | None = None
        for candidate in candidates(heard, probabilities):
            sure = self.judge.confidence(features(candidate, heard, gap, probabilities))
            if best is None or sure > best.confidence:
                best = Recognition(phrase_of[candidate], sure)
        if best is None and heard == NOTHING:
            # A word that is no command ("three" while counting): the listener sets it aside.
            return Recognition(phrase_of[NOTHING], 1.0)
        return best

    def _by_label(self, phrases: Iterable[str]) -> dict[str, str]:
        """A phrase of each label among ``phrases``."""
        phrase_of: dict[str, str] = {}
        for phrase in phrases:
            phrase_of.setdefault(self.label_of(phrase), phrase)
        return phrase_of

    def _spotter_alone(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        """The spotter's likeliest label, as sure as it is of it; a jump or a side needs the
        grammar to say which, so alone the spotter cannot act on one."""
        phrase_of = self._by_label(p for p in phrases if self.decoder.known(p))
        probabilities = spotted(self.spotter, self.embedder.frames(pcm), phrase_of)
        best = max(probabilities, key=lambda label: probabilities[label])
        if best == NOTHING or best in ONLY_WITH_GRAMMAR:
            return None
        return Recognition(phrase_of[best], probabilities[best])


def spotted(spotter: Spotter, frames: np.ndarray, allowed: Iterable[str]) -> dict[str, float]:
    """The spotter's probabilities for an utterance, over the ``allowed`` labels and nothing."""
    wanted = set(allowed) | {NOTHING}
    kept = {label: p for label, p in spotter.probabilities(frames).items() if label in wanted}
    total = sum(kept.values()) or 1.0
    return {label: p / total for label, p in kept.items()}
