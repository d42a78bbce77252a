"""How long "Fit for me" takes on the Why-nonlinearity page, and the error it reaches.

Run: python bench/bench_relu_fit.py   (--quick: one target, one size)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.concepts.lessons import (
    lines,
    relu_chain,
)


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    print(f"CPU cores: {os.cpu_count()}")
    print(f"{'target':<10} {'units':>5} {'fit (s)':>8} {'mse':>9}")
    for target in list(lines.TARGETS)[:1] if quick else lines.TARGETS:
        x, y = lines.target_curve(target)
        for units in (3,) if quick else (3, 8, 12):
            seconds = best_of(1 if quick else 3,
                              lambda: relu_chain.fit_relu_chain(x, y, units))  # noqa: B023
            error = relu_chain.fit_relu_chain(x, y, units).error
            print(f"{target:<10} {units:>5} {seconds:>8.3f} {error:>9.5f}")
        seconds = best_of(3, lambda: relu_chain.errors_by_units(x, y))  # noqa: B023
        print(f"{target:<10} {'0-12':>5} {seconds:>8.3f}   (the error-by-units chart, cached)")


if __name__ == "__main__":
    main()
