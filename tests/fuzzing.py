"""Shared Hypothesis settings for the parser fuzz tests.

Derandomised so that CI runs are repeatable; every input that ever broke a parser is kept as an
``@example`` next to its test (a regression case)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
FUZZ_SLOW = settings(FUZZ, max_examples=40)
