"""The model's calendar: one step is one week."""

from __future__ import annotations

WEEKS_PER_YEAR: int = 52
"""Weeks in a model year; demography, budgets and yearly indicators close every WEEKS_PER_YEAR steps."""
