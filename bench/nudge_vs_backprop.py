"""How long one gradient takes by nudging every weight and by backpropagation, in numpy.

Nudging times a random sample of weights (two forward passes each) and scales up to all of
them; backprop is timed whole (best of several runs). Prints one line per network.

    python -m bench.nudge_vs_backprop    (--quick: the small network, fewer nudges)

On a busy machine OpenBLAS' threads fight over the cores and small matrix products get tens of
times slower; OPENBLAS_NUM_THREADS=1 gives steadier figures there.
"""

from __future__ import annotations

import os
import platform
import sys

from explainer.concepts.nn import gradient_check, network
from explainer.data.mnist import load_sample

CASES = [((784, 32, 10), 32, 500), ((784, 512, 10), 128, 50)]


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    data = load_sample()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    for sizes, batch, sample in CASES[:1] if quick else CASES:
        net = network.init_network(sizes, "relu", seed=0)
        x, y = network.digit_inputs(data.x_train[:batch]), data.y_train[:batch]
        t = gradient_check.time_gradients(net, x, y, n_nudged=20 if quick else sample,
                              repeats=2 if quick else 10)
        shape = "-".join(map(str, sizes))
        print(f"{shape}, batch {batch}: {t.n_parameters:,} weights, "
              f"{t.forward_passes:,} forward passes to nudge them all | "
              f"backprop {t.backprop_seconds * 1e3:.2f} ms | "
              f"nudging {t.n_nudged} weights {t.nudge_seconds:.3f} s -> all "
              f"{t.nudge_all_seconds:,.0f} s (extrapolated) | ratio {t.ratio:,.0f}x | "
              f"agreement: relative {t.overall_relative_difference:.1e}, "
              f"median {t.median_matching_digits} digits")


if __name__ == "__main__":
    main()
