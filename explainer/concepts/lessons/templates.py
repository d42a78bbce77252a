"""Templates: recognise a pattern by multiplying a digit by a template cell by cell and adding up.

A template holds a high value where the pattern should have ink and a low (negative) value where
ink does not belong. A digit whose ink lies on the high cells gets a large sum, its score; ink on
the low cells costs. This is exactly what one hidden cell of the 784-512-10 network computes: its
784 weights are a template, its weighted sum the score.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SIZE = 28
HIGH = 1.0
LOW = -0.5  # what a drop of ink costs where the pattern has none


def vertical_line(low: float = LOW, high: float = HIGH, width: int = 2) -> np.ndarray:
    """High values down the centre column (``width`` cells wide), low values elsewhere."""
    template = np.full((SIZE, SIZE), float(low))
    left = SIZE // 2 - width // 2
    template[:, left:left + width] = high
    return template


def horizontal_line(low: float = LOW, high: float = HIGH, width: int = 2) -> np.ndarray:
    """High values across the middle row, low values elsewhere."""
    return vertical_line(low, high, width).T.copy()


def loop(low: float = LOW, high: float = HIGH, radius: float = 8.0,
         thickness: float = 3.0) -> np.ndarray:
    """A ring of high values around the centre, like the stroke of a 0."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    distance = np.hypot(rows - SIZE / 2, cols - SIZE / 2)
    return np.where(np.abs(distance - radius) < thickness / 2, float(high), float(low))


TEMPLATES: dict[str, Callable[..., np.ndarray]] = {
    "vertical line": vertical_line,
    "horizontal line": horizontal_line,
    "loop": loop,
}


def from_painting(ink: np.ndarray, low: float = LOW, high: float = HIGH) -> np.ndarray:
    """The reader's own template: painted cells (0-255 ink) go from ``low`` up to ``high``."""
    ink = np.clip(np.asarray(ink, dtype=float), 0, 255) / 255.0
    return low + (high - low) * ink


def as_input(digit: np.ndarray) -> np.ndarray:
    """Pixels 0-255 scaled to 0-1, the way the network's inputs are scaled."""
    return np.asarray(digit, dtype=float) / 255.0


def products(digit: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Cell by cell: digit value (0-1) times template value."""
    return as_input(digit) * np.asarray(template, dtype=float)


def score(digit: np.ndarray, template: np.ndarray) -> float:
    """The detector's score: the sum of the cell-by-cell products."""
    return float(products(digit, template).sum())


def class_mean_scores(images: np.ndarray, labels: np.ndarray, template: np.ndarray) -> np.ndarray:
    """The mean score of each digit class 0-9 (NaN for a class with no images)."""
    flat = np.asarray(images, dtype=float).reshape(len(images), -1) / 255.0
    scores = flat @ np.asarray(template, dtype=float).reshape(-1)
    labels = np.asarray(labels)
    return np.array([scores[labels == k].mean() if np.any(labels == k) else np.nan
                     for k in range(10)])


# ---- a drawing from the canvas -> 28 x 28 ------------------------------------------------------

def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Ink 0-255 from an RGBA drawing of dark strokes on white paper (or on a transparent canvas).

    Each pixel is laid over white paper: its darkness (255 minus the mean of R, G, B) times its
    opacity. Black ink gives 255, paper 0, as in MNIST.
    """
    rgba = np.asarray(rgba, dtype=float)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 4) RGBA image, got shape {rgba.shape}")
    darkness = 255.0 - rgba[..., :3].mean(axis=2)
    alpha = rgba[..., 3] / 255.0 if rgba.shape[2] == 4 else 1.0
    return darkness * alpha


def _area_matrix(source: int, target: int) -> np.ndarray:
    """(target, source) matrix: row i averages the source cells that fall in target cell i.

    Target cell i covers source coordinates [i s/t, (i+1) s/t); a source cell partly inside
    counts with the fraction that is inside.
    """
    edges = np.arange(target + 1) * source / target
    cells = np.arange(source)
    overlap = (np.minimum(edges[1:, None], cells[None, :] + 1)
               - np.maximum(edges[:-1, None], cells[None, :]))
    return np.clip(overlap, 0, None) / (source / target)


def downscale(image: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Area-average a 2-D image down (or up) to size x size: each new cell is the mean it covers."""
    image = np.asarray(image, dtype=float)
    rows, cols = _area_matrix(image.shape[0], size), _area_matrix(image.shape[1], size)
    return rows @ image @ cols.T


def drawing_to_digit(rgba: np.ndarray | None, min_ink: float = 0.5) -> np.ndarray | None:
    """A canvas drawing -> 28 x 28 ink 0-255 (uint8), or None when nothing was drawn.

    ``min_ink`` is the least total ink, in full cells' worth, that counts as a drawing.
    """
    if rgba is None:
        return None
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[0] == 0 or rgba.shape[1] == 0:
        return None
    small = downscale(ink_from_rgba(rgba))
    if small.sum() / 255.0 < min_ink:
        return None
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)
