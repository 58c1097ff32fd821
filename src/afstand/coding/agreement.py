"""Agreement between coders on the answer level: Cohen's κ per code and Krippendorff's α (nominal).

Written here rather than taken from the ``krippendorff`` package, which is GPL. α follows
Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*: coincidence matrix from all
pairable values (units coded by at least two coders; missing values allowed), then
α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k. κ = (p_o − p_e) / (1 − p_e) (Cohen 1960).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Hashable, Sequence

from afstand.coding.project import Project


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """κ for two coders' labels of the same units; None when undefined (both coders constant and equal)."""
    if len(a) != len(b):
        raise ValueError("both coders must label the same units")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if expected == 1.0:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """α for nominal data; ``data[coder][unit]``, None where a coder did not code a unit."""
    units = list(zip(*data)) if data else []
    coincidence: Counter = Counter()
    for values in units:
        present = [v for v in values if v is not None]
        m = len(present)
        if m < 2:
            continue
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            coincidence[(present[i], present[j])] += 1 / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), value in coincidence.items():
        n_c[c] += value
    n = sum(n_c.values())
    if n <= 1:
        return None
    disagree_observed = sum(v for (c, k), v in coincidence.items() if c != k)
    disagree_expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if disagree_expected == 0:
        return None
    return 1 - (n - 1) * disagree_observed / disagree_expected


def agreement(project: Project, question: str, coders: Sequence[str] | None = None) -> dict:
    """κ per code for each pair of coders and α per code and pooled, on the units all compared.

    A unit is an answer of ``question`` that at least two of the coders went through (applied a
    code to, or marked as done without one); each code is a binary decision per unit and coder.
    """
    coders = list(coders or project.coders)
    by_coder = {c: project.answer_codes(c, question) for c in coders}
    seen = {c: project.coded_by(c) for c in coders}
    units = sorted(s.id for s in project.sources.values() if s.question == question and sum(s.id in seen[c] for c in coders) >= 2)
    codes = [c.id for c in project.codebook.for_question(question)]
    per_code = {}
    pooled: list[list[object]] = [[] for _ in coders]
    for code in codes:
        matrix = [[(code in by_coder[c].get(u, ())) if u in seen[c] else None for u in units] for c in coders]
        for row, values in zip(pooled, matrix):
            row.extend(values)
        kappas = {}
        for (i, a), (j, b) in combinations(enumerate(coders), 2):
            both = [(x, y) for x, y in zip(matrix[i], matrix[j]) if x is not None and y is not None]
            kappas[f"{a}|{b}"] = cohen_kappa([x for x, _ in both], [y for _, y in both]) if both else None
        per_code[code] = {
            "kappa": kappas,
            "alpha": krippendorff_alpha_nominal(matrix),
            "applied": {c: sum(1 for v in matrix[k] if v) for k, c in enumerate(coders)},
        }
    return {
        "question": question,
        "coders": coders,
        "units": units,
        "codes": per_code,
        "alpha_pooled": krippendorff_alpha_nominal(pooled) if units else None,
    }
