"""The bounded minimiser is scipy's minimize_scalar(method="bounded") step for step (compared with ==)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from afstand.analysis.minimize import minimize_bounded
from afstand.analysis.reliability import polychoric


def scipys(func, lower, upper, xatol):
    return float(optimize.minimize_scalar(func, bounds=(lower, upper), method="bounded", options={"xatol": xatol}).x)


@pytest.mark.parametrize("xatol", [1e-5, 1e-10])
def test_same_x_as_scipy(xatol):
    functions = [
        lambda x: (x - 0.3) ** 2,
        lambda x: math.cos(3 * x) + 0.1 * x,
        lambda x: abs(x + 0.77),
        lambda x: -x,  # minimum on the upper bound
        lambda x: 1.0,  # flat
        lambda x: x**4 - x**2,
    ]
    for func in functions:
        for lower, upper in [(-0.9999, 0.9999), (-5.0, 2.0), (0.0, 0.0), (1.0, 1e6)]:
            assert minimize_bounded(func, lower, upper, xatol=xatol) == scipys(func, lower, upper, xatol), (lower, upper)


def test_maxiter_stops_as_scipy():
    func = lambda x: math.sin(x) * x  # noqa: E731
    ours = minimize_bounded(func, -20.0, 20.0, xatol=1e-12, maxiter=7)
    theirs = float(optimize.minimize_scalar(func, bounds=(-20.0, 20.0), method="bounded", options={"xatol": 1e-12, "maxiter": 7}).x)
    assert ours == theirs


def test_bad_bounds_are_refused():
    with pytest.raises(ValueError):
        minimize_bounded(abs, 1.0, -1.0)
    with pytest.raises(ValueError):
        minimize_bounded(abs, -math.inf, 1.0)


def test_polychoric_is_what_scipy_minimize_scalar_gives():
    from afstand.analysis import reliability

    rng = np.random.default_rng(11)
    for _ in range(25):
        table = rng.integers(0, 30, size=(rng.integers(2, 6), rng.integers(2, 6))).astype(float)
        table[0, 0] += 1
        table[-1, -1] += 1
        kept = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        tx, ty = reliability.thresholds(kept.sum(axis=1)), reliability.thresholds(kept.sum(axis=0))

        def negative_loglik(rho, tx=tx, ty=ty, kept=kept):
            bvn = reliability._owen_bvn
            p = (
                bvn(tx[1:][:, None], ty[1:][None, :], rho)
                - bvn(tx[:-1][:, None], ty[1:][None, :], rho)
                - bvn(tx[1:][:, None], ty[:-1][None, :], rho)
                + bvn(tx[:-1][:, None], ty[:-1][None, :], rho)
            )
            return -float((kept * np.log(np.maximum(p, 1e-300))).sum())

        assert polychoric(table) == scipys(negative_loglik, -0.9999, 0.9999, 1e-10)
