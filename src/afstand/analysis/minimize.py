"""Brent's bounded minimisation of a function of one variable, without importing ``scipy.optimize``.

``import scipy.optimize`` costs about 0.3 s at start-up, for one call per item pair in the
polychoric correlation. :func:`minimize_bounded` is the algorithm of
``scipy.optimize.minimize_scalar(method="bounded")`` (``fminbound``: golden-section search with
parabolic interpolation, Brent 1973), step for step with the same floating-point operations,
so it returns the same ``x`` bit for bit; ``tests/analysis/test_minimize.py`` checks that with ``==``.
Ported from SciPy (BSD-3-Clause, Copyright (c) 2001-2002 Enthought, Inc., 2003 SciPy Developers).
"""

from __future__ import annotations

from math import sqrt
from typing import Callable

import numpy as np


def minimize_bounded(func: Callable[[float], float], lower: float, upper: float, *, xatol: float = 1e-5, maxiter: int = 500) -> float:
    """The ``x`` in [lower, upper] at which ``func`` is smallest (a local minimum), to within ``xatol``."""
    if not (np.isfinite(lower) and np.isfinite(upper)):
        raise ValueError("the bounds must be finite")
    if lower > upper:
        raise ValueError("the lower bound exceeds the upper bound")
    sqrt_eps = sqrt(2.2e-16)
    golden_mean = 0.5 * (3.0 - sqrt(5.0))
    a, b = lower, upper
    fulc = a + golden_mean * (b - a)
    nfc, xf = fulc, fulc
    rat = e = 0.0
    x = xf
    fx = func(x)
    num = 1
    ffulc = fnfc = fx
    xm = 0.5 * (a + b)
    tol1 = sqrt_eps * np.abs(xf) + xatol / 3.0
    tol2 = 2.0 * tol1

    while np.abs(xf - xm) > (tol2 - 0.5 * (b - a)):
        golden = 1
        if np.abs(e) > tol1:  # try a parabolic fit
            golden = 0
            r = (xf - nfc) * (fx - ffulc)
            q = (xf - fulc) * (fx - fnfc)
            p = (xf - fulc) * q - (xf - nfc) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = np.abs(q)
            r = e
            e = rat
            if (np.abs(p) < np.abs(0.5 * q * r)) and (p > q * (a - xf)) and (p < q * (b - xf)):
                rat = (p + 0.0) / q
                x = xf + rat
                if ((x - a) < tol2) or ((b - x) < tol2):
                    si = np.sign(xm - xf) + ((xm - xf) == 0)
                    rat = tol1 * si
            else:
                golden = 1
        if golden:  # a golden-section step
            e = a - xf if xf >= xm else b - xf
            rat = golden_mean * e

        si = np.sign(rat) + (rat == 0)
        x = xf + si * np.maximum(np.abs(rat), tol1)
        fu = func(x)
        num += 1
        if fu <= fx:
            if x >= xf:
                a = xf
            else:
                b = xf
            fulc, ffulc = nfc, fnfc
            nfc, fnfc = xf, fx
            xf, fx = x, fu
        else:
            if x < xf:
                a = x
            else:
                b = x
            if (fu <= fnfc) or (nfc == xf):
                fulc, ffulc = nfc, fnfc
                nfc, fnfc = x, fu
            elif (fu <= ffulc) or (fulc == xf) or (fulc == nfc):
                fulc, ffulc = x, fu
        xm = 0.5 * (a + b)
        tol1 = sqrt_eps * np.abs(xf) + xatol / 3.0
        tol2 = 2.0 * tol1
        if num >= maxiter:
            break
    return float(xf)
