"""Readability of Dutch text: sentence length and the Flesch–Douwes score.

Flesch–Douwes (Douwes 1974, the Dutch adaptation of Flesch's reading ease):

    score = 206.84 - 0.77 * (syllables per 100 words) - 0.93 * (words per sentence)

Higher is easier; about 60-70 is plain language, B1 texts usually score 60 or more. Syllables
are counted as vowel groups (Dutch spelling: ``aa``, ``ee``, ``ie``, ``oe``, ``ij``, ``ui``, ``eu``,
``ou``, ``au``… are one group; a diaeresis starts a new one). This is the usual approximation
in Dutch readability tools; it is exact for most words and off by one for some loans.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")
_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:[-'’][0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")
_VOWEL_GROUP = re.compile(r"ij|[aeiouy]+")
_DIAERESIS = re.compile(r"[äëïöü]")


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    syllables: int
    longest_sentence: int  # words

    @property
    def flesch_douwes(self) -> float:
        if not self.words:
            return 100.0
        return 206.84 - 0.77 * (100 * self.syllables / self.words) - 0.93 * (self.words / max(1, self.sentences))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if _WORD.search(s)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def syllables(word: str) -> int:
    """Vowel groups of a Dutch word (at least one for a word with letters; digits count as one)."""
    if word.isdigit():
        return 1
    lower = word.lower()
    count = 0
    for part in _DIAERESIS.split(lower):  # "geïnteresseerd": the diaeresis splits vowel groups
        plain = "".join(c for c in unicodedata.normalize("NFD", part) if not unicodedata.combining(c))
        count += len(_VOWEL_GROUP.findall(plain))
    count += len(_DIAERESIS.findall(lower))
    return max(1, count)


def measure(text: str) -> Readability:
    parts = sentences(text)
    counts = [len(words(s)) for s in parts]
    all_words = words(text)
    return Readability(
        sentences=len(parts), words=len(all_words), syllables=sum(syllables(w) for w in all_words), longest_sentence=max(counts, default=0)
    )
