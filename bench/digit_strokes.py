"""Handwriting for the drawn-digit benchmark: stroke templates per digit, varied like real hands.

Each digit has two or three templates (a 1 with and without its flag, a 7 with and without the
bar, an open and a closed 4, ...), written as polylines in a unit box (x right, y down, the digit
about 0.6 wide and 1 tall). :func:`handwritten` picks one and varies it with a seeded generator:

    size      the digit 90-250 canvas pixels tall (the canvas is 280)
    shape     0.75-1.25 times as wide as the template
    slant     the top leans -0.1 to +0.35 of the height to the right (most hands lean right)
    turn      -8 to +8 degrees
    tremor    a smooth wobble of about 1.5% of the height along every stroke
    place     anywhere the whole digit fits on the canvas
    pen       the Draw page's stroke width, 10-34 pixels (set with its slider)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Stroke = list[tuple[float, float]]
CANVAS = 280
PEN_WIDTHS = (10, 14, 18, 24, 30, 34)


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float,
        points: int = 24) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` (degrees; 0 right, 90 down)."""
    angles = np.deg2rad(np.linspace(start, end, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


def gerono(points: int = 60) -> Stroke:
    """A figure of eight in one stroke (a lemniscate of Gerono), starting at the top."""
    t = np.linspace(0.5 * np.pi, 2.5 * np.pi, points)
    return [(0.5 - 0.8 * np.sin(a) * np.cos(a), 0.5 - 0.5 * np.sin(a)) for a in t]


TEMPLATES: dict[int, list[list[Stroke]]] = {
    0: [[arc(0.5, 0.5, 0.4, 0.5, -90, 275)],
        [arc(0.5, 0.5, 0.36, 0.5, -60, 310)]],
    1: [[[(0.55, 0.0), (0.45, 1.0)]],
        [[(0.25, 0.22), (0.6, 0.0), (0.5, 1.0)]],
        [[(0.3, 0.2), (0.6, 0.0), (0.52, 1.0)], [(0.25, 1.0), (0.8, 1.0)]]],
    2: [[arc(0.5, 0.3, 0.4, 0.3, -165, 25) + [(0.05, 1.0), (0.95, 1.0)]],
        [arc(0.48, 0.28, 0.38, 0.28, -170, 40) + [(0.3, 0.75), (0.08, 0.98), (0.5, 0.93),
                                                  (0.95, 1.0)]]],
    3: [[arc(0.5, 0.26, 0.36, 0.26, -155, 90) + arc(0.5, 0.74, 0.42, 0.26, -90, 150)],
        [[(0.1, 0.0), (0.85, 0.0), (0.45, 0.42)] + arc(0.5, 0.71, 0.42, 0.29, -90, 155)]],
    4: [[[(0.65, 0.0), (0.05, 0.68), (0.95, 0.68)], [(0.68, 0.3), (0.68, 1.0)]],
        [[(0.15, 0.0), (0.08, 0.6), (0.95, 0.6)], [(0.72, 0.05), (0.7, 1.0)]]],
    5: [[[(0.85, 0.0), (0.22, 0.0), (0.16, 0.45)] + arc(0.5, 0.7, 0.4, 0.3, -150, 150)],
        [[(0.22, 0.0), (0.16, 0.45)] + arc(0.5, 0.7, 0.4, 0.3, -150, 150),
         [(0.22, 0.0), (0.88, 0.0)]]],
    6: [[[(0.72, 0.0), (0.45, 0.15), (0.25, 0.38), (0.12, 0.68)] +
         arc(0.5, 0.73, 0.38, 0.27, 180, -160)],
        [arc(0.8, 0.6, 0.7, 0.6, -120, -180) + arc(0.5, 0.75, 0.4, 0.25, 180, -170)]],
    7: [[[(0.05, 0.0), (0.95, 0.0), (0.4, 1.0)]],
        [[(0.05, 0.0), (0.95, 0.0), (0.45, 1.0)], [(0.3, 0.5), (0.85, 0.5)]],
        [[(0.05, 0.05), (0.95, 0.0), (0.7, 0.4), (0.55, 0.75), (0.5, 1.0)]]],
    8: [[arc(0.5, 0.25, 0.32, 0.25, 0, 360), arc(0.5, 0.74, 0.4, 0.26, -90, 270)],
        [gerono()]],
    9: [[arc(0.45, 0.28, 0.35, 0.28, 0, -360) + [(0.8, 0.28), (0.72, 1.0)]],
        [arc(0.45, 0.27, 0.35, 0.27, 10, -350) + [(0.78, 0.6), (0.6, 1.0)]]],
}


@dataclass(frozen=True)
class Handwriting:
    """One drawn digit: its strokes in canvas pixels and how they were varied."""

    label: int
    template: int
    strokes: list[Stroke]
    pen: int
    height: float
    slant: float
    turn: float

    def __repr__(self) -> str:
        return (f"Handwriting({self.label}, template {self.template}, {self.height:.0f} px tall, "
                f"slant {self.slant:+.2f}, turn {self.turn:+.1f} deg, pen {self.pen})")


def resample(stroke: Stroke, spacing: float) -> np.ndarray:
    """Points every ``spacing`` units along a polyline, so a hand's wobble can bend it."""
    points = np.asarray(stroke, dtype=float)
    if len(points) == 1:
        return points
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    where = np.linspace(0.0, along[-1], max(2, int(along[-1] / spacing) + 1))
    return np.stack([np.interp(where, along, points[:, 0]),
                     np.interp(where, along, points[:, 1])], axis=1)


def handwritten(label: int, rng: np.random.Generator) -> Handwriting:
    """One varied drawing of ``label`` that fits on the canvas (see the module's docstring)."""
    choice = int(rng.integers(len(TEMPLATES[label])))
    height = rng.uniform(90, 250)
    width_factor = rng.uniform(0.75, 1.25)
    slant, turn = rng.uniform(-0.1, 0.35), rng.uniform(-8, 8)
    pen = int(rng.choice(PEN_WIDTHS))
    cos, sin = np.cos(np.deg2rad(turn)), np.sin(np.deg2rad(turn))
    shaped = []
    for stroke in TEMPLATES[label][choice]:
        points = resample(stroke, 0.04)
        wobble = np.cumsum(rng.normal(0, 0.006, points.shape), axis=0)  # a slow drift
        wobble -= np.linspace(0, 1, len(points))[:, None] * wobble[-1]  # ends where it meant
        x = (points[:, 0] - 0.5) * width_factor + wobble[:, 0]
        y = points[:, 1] - 0.5 + wobble[:, 1]
        x = x + slant * -y  # the top (y < 0) leans right
        shaped.append(np.stack([cos * x - sin * y, sin * x + cos * y], axis=1) * height)
    margin = pen / 2 + 2
    every = np.concatenate(shaped)
    fits = min(1.0, (CANVAS - 2 * margin) / (every.max(axis=0) - every.min(axis=0)).max())
    shaped = [stroke * fits for stroke in shaped]  # a wide, slanted, tall one: a little smaller
    low, high = np.concatenate(shaped).min(axis=0), np.concatenate(shaped).max(axis=0)
    offset = rng.uniform(margin - low, CANVAS - margin - high)
    strokes = [[(float(px), float(py)) for px, py in stroke + offset] for stroke in shaped]
    return Handwriting(label, choice, strokes, pen, height * fits, slant, turn)


def handwriting_set(per_digit: int, seed: int) -> list[Handwriting]:
    """``per_digit`` drawings of every digit, in a seeded shuffled order."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(10), per_digit))
    return [handwritten(int(label), rng) for label in labels]
