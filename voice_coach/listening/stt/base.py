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
    """Whether a second opinion (the speech-embedding verifier) checks what it hears."""
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
