"""Numbers as the reader's language writes them: Dutch (1.234,5) and English (1,234.5).

The one number formatter of the run command's headline, the students' page and
the comparison report.
"""

from __future__ import annotations

import math

MINUS = "\u2212"


def number(value: float | None, decimals: int = 0, lang: str = "en", sign: bool = False) -> str:
    """``value`` rounded to ``decimals`` with grouped thousands in ``lang``'s style (nl: 1.234,5; en: 1,234.5).

    A negative number gets a minus sign (−), a positive one a plus with ``sign``; NaN is '—', infinity '∞'.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    text = f"{abs(value):,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if round(value, decimals) < 0:
        return MINUS + text
    if sign and round(value, decimals) > 0:
        return "+" + text
    return text


def percent(share: float | None, decimals: int = 1, lang: str = "en", sign: bool = False) -> str:
    """A share (0–1) as a percentage: ``percent(0.123, 1, "nl")`` is '12,3%'."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return number(share * 100, decimals, lang, sign) + "%"
