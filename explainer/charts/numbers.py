"""Numbers written short enough for a chart label or a metric."""

from __future__ import annotations

import numpy as np


def short(value: float, digits: int = 3) -> str:
    """A number in a few characters: 0.0123, 1,500, 2.3e-05, inf."""
    if not np.isfinite(value):
        return str(value)
    if 1e3 <= abs(value) < 1e7:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def seconds(value: float) -> str:
    """A duration as µs, ms or s, whichever reads best."""
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.1f} s"
