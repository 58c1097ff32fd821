"""Assisted coding: suggest codes for uncoded answers from a hand-coded sample.

Two transparent parts, combined per code:

* **rules** — the codebook's ``keywords`` (phrases separated by ``;``), matched on word stems
  of Snowball's Dutch stemmer (``snowballstemmer`` 3.1.1, algorithm ``dutch``: Kraaij–Pohlmann
  based since Snowball 3.0); stop words from the shipped Snowball Dutch list. Before a rule may
  suggest, it is checked on the hand-coded sample: a phrase that fires there on answers without
  its code more often than with it (smoothed precision ``(right + 1) / (fires + 2)`` below
  ``RULE_MIN_PRECISION``) is set aside; a phrase the sample never uses stays.
* **a classifier** — TF-IDF of stems, stem bigrams, words and word bigrams, and character
  3–5-grams (which catch compounds and spelling variants) with one logistic regression per code
  (scikit-learn, one-vs-rest, balanced class weights). Besides the coded answers it learns from
  the codebook itself: each code's label and description, each of its ``examples_nl`` passages
  and each keyword phrase is one more example of that code. Its confidence is the predicted
  probability; the stems that pushed it most are given as the reason.

A suggestion is made when the confidence reaches the threshold; a rule hit lifts the confidence to
at least ``RULE_CONFIDENCE``. An answer of more than three words without any suggestion gets its
most likely code (most answers carry at least one code; short ones like "nee" often none). The
threshold is chosen on the training data alone by inner k-fold cross-validation (micro-F1), never
on the answers being suggested for. Nothing is coded without a person accepting a suggestion: this
module only proposes.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

from afstand.coding.codebook import Codebook
from afstand.errors import DataError, Problem

RULE_CONFIDENCE = 0.6
RULE_MIN_PRECISION = 0.5
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = resources.files("afstand.coding").joinpath("data/stopwords-nl.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def stems(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """Snowball Dutch stems of the words of ``text``; rules keep stop words ("geen telefoon")."""
    words = [w for w in WORD.findall(text.lower()) if keep_stop_words or (w not in stop_words() and len(w) > 1)]
    return _stemmer().stemWords(words)


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: float
    because: tuple[str, ...]  # rule phrases that matched, or the words that weighed most
    rule: bool = False


@dataclass(frozen=True)
class RuleCheck:
    """A keyword rule set aside: on the coded sample it fired ``fires`` times, ``right`` of them on answers with its code."""

    keyword: str
    phrase: tuple[str, ...]
    fires: int
    right: int


class Suggester:
    """Fit on coded answers of one question; suggest codes for new answers of that question."""

    def __init__(self, codebook: Codebook, question: str, *, threshold: float | None = None, folds: int = 3, seed: int = 0):
        self.question = question
        codes = codebook.for_question(question)
        self.codes = [c.id for c in codes]
        # keywords with the same stems ("stabiel", "stabiele") are one rule, shown with all their spellings
        self.keywords: dict[tuple[str, tuple[str, ...]], str] = {}
        for c in codes:
            for k in c.keywords:
                if phrase := tuple(stems(k, keep_stop_words=True)):
                    known = self.keywords.get((c.id, phrase))
                    self.keywords[(c.id, phrase)] = f"{known}, {k}" if known else k
        self.rules = {c.id: [phrase for code, phrase in self.keywords if code == c.id] for c in codes}
        self.set_aside: dict[str, list[RuleCheck]] = {}  # rules the coded sample contradicts
        self.prototypes = [(text, [c.id]) for c in codes for text in (f"{c.label}. {c.description}", *c.examples, *c.keywords)]
        self.threshold = threshold
        self.folds = folds
        self.seed = seed
        self.vectorizer = None
        self.models: dict[str, object] = {}

    # -- training -----------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], labels: Sequence[Sequence[str]]) -> "Suggester":
        self._check_rules(texts, labels)
        if self.threshold is None:
            self.threshold = self._choose_threshold(texts, labels)
        self._fit(texts, labels)
        return self

    def _fit(self, texts, labels) -> None:
        from sklearn.linear_model import LogisticRegression

        texts = list(texts) + [t for t, _ in self.prototypes]
        labels = list(labels) + [codes for _, codes in self.prototypes]
        self.vectorizer = _vectorizer()
        matrix = self.vectorizer.fit_transform(texts)
        self.models = {}
        for code in self.codes:
            y = np.array([code in row for row in labels], dtype=int)
            if y.sum() == 0 or y.sum() == len(y):
                self.models[code] = float(y.mean()) if len(y) else 0.0  # constant: no classifier possible
                continue
            model = LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000, random_state=self.seed)
            model.fit(matrix, y)
            self.models[code] = model

    def _check_rules(self, texts, labels) -> None:
        """Set aside the rules that the hand-coded sample contradicts (see the module docstring)."""
        text_stems = [stems(t, keep_stop_words=True) for t in texts]
        self.rules = {code: [] for code in self.codes}  # rebuilt from the keywords on every fit
        self.set_aside = {}
        for (code, phrase), keyword in self.keywords.items():
            fires = [code in row for words, row in zip(text_stems, labels) if _contains(words, phrase)]
            if (sum(fires) + 1) / (len(fires) + 2) >= RULE_MIN_PRECISION:
                self.rules[code].append(phrase)
            else:
                self.set_aside.setdefault(code, []).append(RuleCheck(keyword, phrase, len(fires), sum(fires)))

    def _choose_threshold(self, texts, labels) -> float:
        from sklearn.model_selection import KFold

        n = len(texts)
        if n < 3 * self.folds:
            return 0.35
        scores = {t: [0, 0, 0] for t in THRESHOLDS}  # tp, fp, fn per threshold
        for train, test in KFold(self.folds, shuffle=True, random_state=self.seed).split(np.arange(n)):
            inner = copy.copy(self)  # same rules and prototypes; its own vectorizer and models
            inner._fit([texts[i] for i in train], [labels[i] for i in train])
            probabilities = inner._confidences([texts[i] for i in test])
            for t in THRESHOLDS:
                for row, i in zip(probabilities, test):
                    predicted = set(_pick(row, t, texts[i]))
                    truth = set(labels[i])
                    scores[t][0] += len(predicted & truth)
                    scores[t][1] += len(predicted - truth)
                    scores[t][2] += len(truth - predicted)
        return max(THRESHOLDS, key=lambda t: (_f1(*scores[t]), -abs(t - 0.35)))

    # -- suggesting ---------------------------------------------------------------------------
    def _confidences(self, texts: Sequence[str]) -> list[dict[str, tuple[float, bool]]]:
        matrix = self.vectorizer.transform(texts)
        columns = {}
        for code, model in self.models.items():
            columns[code] = np.full(len(texts), model) if isinstance(model, float) else model.predict_proba(matrix)[:, 1]
        out = []
        for i, text in enumerate(texts):
            text_stems = stems(text, keep_stop_words=True)
            row = {}
            for code in self.codes:
                p = float(columns[code][i])
                hit = any(_contains(text_stems, phrase) for phrase in self.rules.get(code, ()))
                row[code] = (max(p, RULE_CONFIDENCE) if hit else p, hit)
            out.append(row)
        return out

    def suggest(self, texts: Sequence[str]) -> list[list[Suggestion]]:
        if self.vectorizer is None:
            raise RuntimeError("fit() first")
        out = []
        for text, row in zip(texts, self._confidences(texts)):
            found = [
                Suggestion(code, round(row[code][0], 3), self._reasons(code, text, row[code][1]), row[code][1])
                for code in _pick(row, self.threshold, text)
            ]
            out.append(sorted(found, key=lambda s: -s.confidence))
        return out

    def _reasons(self, code: str, text: str, hit: bool) -> tuple[str, ...]:
        text_stems = stems(text, keep_stop_words=True)
        if hit:
            return tuple(" ".join(p) for p in self.rules[code] if _contains(text_stems, p))
        model = self.models.get(code)
        if model is None or isinstance(model, float):
            return ()
        words = self.vectorizer.transformer_list[0][1]
        vector = words.transform([text])
        weights = model.coef_[0][: len(words.vocabulary_)]
        contributions = vector.multiply(weights).tocsr()
        names = words.get_feature_names_out()
        order = np.argsort(contributions.data)[::-1]
        return tuple(names[contributions.indices[j]] for j in order[:3] if contributions.data[j] > 0)


def _word_features(text: str) -> list[str]:
    words = stems(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("stems", TfidfVectorizer(analyzer=_word_features, sublinear_tf=True)),
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True, min_df=2)),
        ]
    )


def _pick(row: dict[str, tuple[float, bool]], threshold: float, text: str) -> list[str]:
    chosen = [code for code, (p, _hit) in row.items() if p >= threshold]
    if not chosen and row and len(text.split()) > 3:
        chosen = [max(row, key=lambda code: row[code][0])]
    return chosen


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    k = len(phrase)
    return any(tuple(words[i : i + k]) == phrase for i in range(len(words) - k + 1))


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def evaluate(
    rows: Sequence[dict], codebook: Codebook, *, folds: int = 3, seed: int = 0, repeats: int = 1, name: str = "coded answers"
) -> dict:
    """k-fold cross-validation per question (split by answer id): micro- and macro-F1 on unseen answers.

    With ``repeats`` > 1 the k-fold is run again on other shuffles (seeds ``seed``, ``seed + 1``, …);
    the F1 values are then means over the runs, and ``micro_f1_runs`` lists each run. No rows, or a
    question with fewer answers than ``folds`` (each fold needs one to test on), is an error naming
    ``name`` and the question. The split is not stratified, so codes need no minimum count.
    """
    if folds < 2:
        raise ValueError("k-fold cross-validation needs at least 2 folds")
    if not rows:
        raise DataError([Problem(name, "no coded answers to evaluate")])
    counts = Counter(r["question"] for r in rows)
    short = [
        Problem(name, f"question {q} has {n} coded answer{'' if n == 1 else 's'}; --folds {folds} needs at least {folds}")
        for q, n in counts.items()
        if n < folds
    ]
    if short:
        raise DataError(short)
    report = {}
    for question in dict.fromkeys(r["question"] for r in rows):
        subset = sorted((r for r in rows if r["question"] == question), key=lambda r: r["id"])
        codes = [c.id for c in codebook.for_question(question)]
        runs = [_one_run(subset, codebook, question, codes, folds, seed + k) for k in range(repeats)]
        report[question] = {
            "answers": len(subset),
            "folds": folds,
            "repeats": repeats,
            "micro_f1": round(sum(r["micro_f1"] for r in runs) / repeats, 4),
            "macro_f1": round(sum(r["macro_f1"] for r in runs) / repeats, 4) if codes else None,
            "micro_f1_runs": [r["micro_f1"] for r in runs],
            "per_code": {c: round(sum(r["per_code"][c] for r in runs) / repeats, 4) for c in codes},
        }
    return report


def _one_run(subset: list[dict], codebook: Codebook, question: str, codes: list[str], folds: int, seed: int) -> dict:
    from sklearn.model_selection import KFold

    counts = {c: [0, 0, 0] for c in codes}
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(np.arange(len(subset))):
        model = Suggester(codebook, question, seed=seed).fit([subset[i]["text"] for i in train], [subset[i]["codes"] for i in train])
        for i, suggestions in zip(test, model.suggest([subset[i]["text"] for i in test])):
            predicted, truth = {s.code for s in suggestions}, set(subset[i]["codes"])
            for c in codes:
                counts[c][0] += c in predicted and c in truth
                counts[c][1] += c in predicted and c not in truth
                counts[c][2] += c in truth and c not in predicted
    tp, fp, fn = (sum(v[k] for v in counts.values()) for k in range(3))
    per_code = {c: _f1(*v) for c, v in counts.items()}
    return {
        "micro_f1": round(_f1(tp, fp, fn), 4),
        "macro_f1": sum(per_code.values()) / len(per_code) if per_code else 0.0,
        "per_code": per_code,
    }
