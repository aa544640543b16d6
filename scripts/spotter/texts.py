"""What the spotter learns to tell apart: every phrase of every command, and what is no command.

Labels are the locale's intents, ``goto`` and ``side`` (a jump or a side: the grammar hears which),
and ``none``: the words the locale lists as no command, near-miss words, words said while
massaging, counting, chatter, the coach's own script, and fragments (the first words of a longer
phrase or sentence, which the endpointer can cut off at a pause: "say that" of "say that again"
must not be "stop"). The spotter's own words and sentences (``[spotter]`` in
``scripts/corpus/<locale>.toml``): the tuning and held-out sets' stay unheard.
"""

from __future__ import annotations

import re
import tomllib

import numpy as np
from make_corpus import CORPUS, coach_lines

from voice_coach.core.commands import Intent, PhraseBook
from voice_coach.listening.engines import spotter_label as label_of

NONE = "none"
GOTO = "goto"
SIDE = "side"


def command_texts(
    book: PhraseBook, rng: np.random.Generator, targets: int
) -> list[tuple[str, str]]:
    """Every plain command phrase, and ``targets`` of the jump and side phrases."""
    phrases = book.grammar(list(Intent))
    labelled = [(p, label_of(book, p)) for p in phrases]
    plain = [(p, label) for p, label in labelled if label not in (NONE, GOTO, SIDE)]
    targeted = [(p, label) for p, label in labelled if label in (GOTO, SIDE)]
    chosen = rng.choice(len(targeted), size=min(targets, len(targeted)), replace=False)
    return plain + [targeted[int(i)] for i in chosen]


def spotter_material(locale: str) -> tuple[list[str], list[str]]:
    """The words and sentences the locale's corpus text keeps for the spotter alone."""
    data = tomllib.loads((CORPUS / f"{locale}.toml").read_text(encoding="utf-8"))["spotter"]
    return list(data["words"]), list(data["chatter"])


def none_texts(book: PhraseBook, locale: str, rng: np.random.Generator) -> list[str]:
    """Things said near the coach that must trigger nothing: none of the tuning or held-out
    sets' own words and sentences."""
    words, chatter = spotter_material(locale)
    words += _not_commands(book)
    script = [re.sub(r"^at \d+:\d+:?\s*", "", line, flags=re.IGNORECASE)
              for line in coach_lines(locale, 400)]  # fmt: skip
    vocabulary = sorted({w.strip(".,;:!?'\"()").lower() for line in script for w in line.split()})
    words += [w for w in vocabulary if len(w) > 2]
    for sentence in chatter + script[:80]:
        words += [part for part in re.split(r"[,.;:!?]\s*", sentence) if part]
        tokens = sentence.rstrip(".?!").split()
        words.append(" ".join(tokens[: int(rng.integers(1, min(4, len(tokens)) + 1))]))
    words += fragments(book)
    return sorted(
        {
            w.lower()
            for w in words
            if w.strip() and not re.search(r"\d", w) and label_of(book, w) == NONE
        }
    )


def fragments(book: PhraseBook) -> list[str]:
    """The first words of each longer command phrase, where they are no command themselves."""
    out = []
    for phrase in book.grammar(list(Intent)):
        tokens = phrase.split()
        for cut in range(1, len(tokens)):
            head = " ".join(tokens[:cut])
            if label_of(book, head) == NONE:
                out.append(head)
    return out


def cuttable(book: PhraseBook, phrase: str) -> bool:
    """Whether any first part of ``phrase`` is no command: its audio cut short is ``none``."""
    tokens = phrase.split()
    return len(tokens) > 1 and all(
        label_of(book, " ".join(tokens[:cut])) == NONE for cut in range(1, len(tokens))
    )


def _not_commands(book: PhraseBook) -> list[str]:
    return [p for p in book.grammar(list(Intent)) if label_of(book, p) == NONE]
