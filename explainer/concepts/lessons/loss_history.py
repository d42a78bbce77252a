"""A loss curve that stays small however long the training runs: old steps are thinned out.

Every step's loss is recorded, but only ``limit`` points are kept. When there are more, the older
half of the curve keeps every other point: recent steps stay exact, early ones get sparser, and
the shape of the whole curve (a fast drop, then a slow crawl) is still there to plot.
"""

from __future__ import annotations

from collections.abc import Iterable


class LossHistory:
    """The losses of a training, step by step, kept to at most ``limit`` (step, loss) points."""

    def __init__(self, limit: int = 400):
        if limit < 4:
            raise ValueError("keep at least 4 points")
        self.limit = limit
        self.steps: list[int] = []  # the step number of each kept point, 0 = the first step
        self.losses: list[float] = []
        self.total = 0  # steps taken, kept or not

    def __len__(self) -> int:
        """Steps taken (not points kept)."""
        return self.total

    def __iadd__(self, losses: Iterable[float]) -> LossHistory:
        for loss in losses:
            self.steps.append(self.total)
            self.losses.append(float(loss))
            self.total += 1
        while len(self.losses) > self.limit:
            self._thin()
        return self

    def _thin(self) -> None:
        """Keep every other point of the older half; the newer half stays whole."""
        recent = self.limit // 2
        old = len(self.losses) - recent
        self.steps = self.steps[:old][::2] + self.steps[old:]
        self.losses = self.losses[:old][::2] + self.losses[old:]

    def __repr__(self) -> str:
        return f"LossHistory({self.total} steps, {len(self.losses)} points kept of {self.limit})"
