"""Numbers as people read them in reasons and reports: ``USD 1,240``, ``0.36``, ``29.8``."""

from __future__ import annotations

__all__ = ["count", "money", "per_unit", "percent"]


def money(amount: float, currency: str) -> str:
    """``USD 1,240`` (whole units from 100 up, cents below)."""
    if abs(amount) >= 100:
        return f"{currency} {amount:,.0f}"
    return f"{currency} {amount:,.2f}"


def per_unit(amount: float) -> str:
    """A cost per engagement or conversion: ``0.36``, ``15.10``, ``1,204``."""
    if abs(amount) >= 1000:
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def count(n: float) -> str:
    """A projected count: whole numbers with separators from 100 up, one decimal below."""
    if abs(n) >= 100:
        return f"{n:,.0f}"
    return f"{n:,.1f}"


def percent(fraction: float) -> str:
    """``0.7`` -> ``70%``, ``0.125`` -> ``12.5%``."""
    text = f"{fraction * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"
