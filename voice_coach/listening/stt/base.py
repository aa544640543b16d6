"""What every recogniser gives back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Recognition:
    """The phrase heard (one of those asked for) and how sure the recogniser is (0 to 1)."""

    text: str
    confidence: float


class Recognizer(Protocol):
    """Recognises one utterance (16 kHz, 16-bit mono PCM) as one of ``phrases``, or nothing."""

    name: str
    locale: str
    model_path: Path | None
    """Where its model was loaded from; None for one built into its package."""
    checked: bool
    """Whether a second ear (the command spotter, or the speech-embedding verifier) checks
    what the grammar hears."""
    wants_cleaned: bool
    """Whether the listener should gate steady noise and trim quiet ends off each utterance
    first (see ``listener.cleaned``): it helps pocketsphinx, while vosk's models, trained on
    raw noisy audio, heard Korean commands worse through it."""

    def recognize(self, pcm: bytes, phrases: tuple[str, ...]) -> Recognition | None:
        """The best phrase, or None when the audio is not one of them (or not speech)."""
        ...

    def known(self, phrase: str) -> bool:
        """Whether every word of ``phrase`` is in the recogniser's vocabulary."""
        ...


class GrammarDecoder(Protocol):
    """A recogniser's grammar decode alone, which a second ear can check."""

    name: str
    locale: str
    model_path: Path | None
    wants_cleaned: bool

    def known(self, phrase: str) -> bool: ...

    def score(self, pcm: bytes, phrases: tuple[str, ...]) -> tuple[str, float] | None:
        """The phrase that fits and the decoder's own score for it (pocketsphinx: its gap to a
        phone loop; vosk: its least sure word); None when no whole phrase fits."""
        ...

    def alone(self, score: float) -> float:
        """The confidence (0 to 1) that ``score`` gives when nothing else is heard."""
        ...


class Checkable(Recognizer, GrammarDecoder, Protocol):
    """A recogniser that hears alone, and whose grammar decode a second ear can check."""


class SecondEar:
    """A recogniser made of a grammar decoder and a second ear that checks it: what it is, and
    which words it knows, are the decoder's."""

    checked = True

    def __init__(self, decoder: GrammarDecoder) -> None:
        self.decoder = decoder
        self.name = decoder.name
        self.locale = decoder.locale
        self.model_path = decoder.model_path
        self.wants_cleaned = decoder.wants_cleaned

    def known(self, phrase: str) -> bool:
        return self.decoder.known(phrase)


def recognize_alone(decoder: GrammarDecoder, pcm: bytes, phrases: tuple[str, ...]
                    ) -> Recognition | None:  # fmt: skip
    """The decoder's phrase, as sure as its own score makes it."""
    scored = decode(decoder, pcm, phrases)
    return None if scored is None else Recognition(scored[0], decoder.alone(scored[1]))


def decode(decoder: GrammarDecoder, pcm: bytes, phrases: tuple[str, ...]
           ) -> tuple[str, float] | None:  # fmt: skip
    """The decoder's phrase and score among the ``phrases`` whose words it knows."""
    usable = tuple(p for p in phrases if decoder.known(p))
    return decoder.score(pcm, usable) if usable else None
