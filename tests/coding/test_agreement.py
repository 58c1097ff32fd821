"""κ and α against published values and another implementation."""

from __future__ import annotations

import pytest

from afstand.coding.agreement import agreement, cohen_kappa, krippendorff_alpha_nominal
from afstand.coding.codebook import Code, Codebook
from afstand.coding.project import Coding, Project, Source

N = None


def test_alpha_reproduces_krippendorff_2011_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders, 12 units, missing values
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=5e-4)


def test_alpha_reproduces_krippendorff_binary_two_coder_example():
    # Krippendorff (2011), section A: two observers, ten units, binary data: alpha = 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha_nominal([a, b]) == pytest.approx(0.095, abs=5e-4)


def test_kappa_equals_scikit_learn_and_a_textbook_value():
    from sklearn.metrics import cohen_kappa_score

    a = ["x", "x", "y", "z", "y", "x", "z", "z", "y", "x", "x", "y"]
    b = ["x", "y", "y", "z", "y", "x", "x", "z", "y", "x", "z", "y"]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    # 2x2 table 20/5/10/15 (Wikipedia, Cohen's kappa): p_o = 0.7, p_e = 0.5, kappa = 0.4
    a2 = ["yes"] * 25 + ["no"] * 25
    b2 = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a2, b2) == pytest.approx(0.4)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None


def test_agreement_per_code_lists_the_units_compared():
    book = Codebook("t", [Code("Q", "p", "P"), Code("Q", "q", "Q")])
    project = Project("t", book)
    texts = {"1": "een", "2": "twee", "3": "drie", "4": "vier"}
    for sid, text in texts.items():
        project.add_source(Source(sid, "Q", text))
    for coder, coded in (("ann", {"1": "p", "2": "p", "3": "q"}), ("bob", {"1": "p", "2": "q", "3": "q"})):
        for sid, code in coded.items():
            project.add_coding(Coding(sid, 0, len(texts[sid]), code, coder))
    project.reviewed.add(("ann", "4"))  # seen by one coder only: not compared
    result = agreement(project, "Q")
    assert result["units"] == ["1", "2", "3"]
    assert result["codes"]["p"]["kappa"]["ann|bob"] == pytest.approx(cohen_kappa([1, 1, 0], [1, 0, 0]))
    assert result["codes"]["q"]["alpha"] == pytest.approx(krippendorff_alpha_nominal([[0, 0, 1], [0, 1, 1]]))
