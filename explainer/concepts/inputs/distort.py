"""Move, turn, resize and thicken a digit: the changes a person shrugs off and a network may not.

A person reads a 7 the same when it is drawn a little to the left, slanted, smaller or with a
fatter pen. A network that only ever saw MNIST's centred, upright, 20-pixel digits has never seen
those. Each change here works on one 28 x 28 digit (uint8, ink 255 on 0) and takes one number a
slider can set:

    shift(digit, right, down)   pixels; the ink moves, nothing else changes
    rotate(digit, degrees)      about the field's centre, counter-clockwise for positive degrees
    scale(digit, factor)        about the field's centre; 1.2 is 20% bigger
    thickness(digit, amount)    +1 one pixel fatter on every side (a 3 x 3 "max"); -1 thinner
                                (each stroke's soft edge cut away); fractions move smoothly

:func:`distort` does all four at once, resampling the picture only once.
:func:`robustness_set` applies all four, drawn at random with a fixed seed, to every digit of a set:
the test of whether a network learned digits or MNIST's way of writing them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

SIDE = 28
MAX_SHIFT = 3.0  # pixels, in each direction
MAX_DEGREES = 15.0
SCALES = (0.8, 1.2)
MAX_THICKNESS = 1.0  # thicker: one whole 3 x 3 dilation; thinner: edges below THIN_LEVEL cut
THIN_LEVEL = 0.6  # of full ink
ROBUSTNESS_SEED = 20_240_715
ROBUSTNESS_THICKNESS = (0.4, 1.0)  # every digit gets thinner or thicker by this much, never ~0


def distort(digit: np.ndarray, right: float = 0.0, down: float = 0.0, degrees: float = 0.0,
            factor: float = 1.0, amount: float = 0.0) -> np.ndarray:
    """All four changes: thicken or thin the strokes, then rotate and scale about the centre
    and shift (the pen first, then the paper it was drawn on)."""
    pen = thickness_float(np.asarray(digit, dtype=np.float32), amount)
    return to_uint8(moved(pen, right, down, degrees, factor))


def moved(digit: np.ndarray, right: float = 0.0, down: float = 0.0, degrees: float = 0.0,
          factor: float = 1.0) -> np.ndarray:
    """The geometry alone, as float32: rotated and scaled about the centre, then shifted.

    It is one affine map, so the picture is resampled (bilinear) only once. Each output pixel
    looks up where it came from: the inverse map, which is what PIL's ``transform`` wants.
    """
    image = np.asarray(digit, dtype=np.float32)
    if image.shape != (SIDE, SIDE):
        raise ValueError(f"expected a {SIDE} x {SIDE} digit, got shape {image.shape}")
    if factor <= 0:
        raise ValueError(f"the scale factor must be positive, got {factor}")
    centre = SIDE / 2  # PIL's coordinates put pixel centres at +0.5: 14.0 is the field's middle
    turn = np.deg2rad(degrees)
    cos, sin = np.cos(turn) / factor, np.sin(turn) / factor
    # output (x, y) -> input: undo the shift, then rotate back by -degrees and shrink by 1/factor.
    # Rows grow downwards, so a counter-clockwise turn on screen is clockwise in (x, y).
    x0, y0 = centre + right, centre + down
    coefficients = (cos, -sin, centre - cos * x0 + sin * y0,
                    sin, cos, centre - sin * x0 - cos * y0)
    out = Image.fromarray(image).transform((SIDE, SIDE), Image.Transform.AFFINE, coefficients,
                                           resample=Image.Resampling.BILINEAR, fillcolor=0)
    return np.asarray(out, dtype=np.float32)


def shift(digit: np.ndarray, right: float = 0.0, down: float = 0.0) -> np.ndarray:
    """The digit moved ``right`` and ``down`` pixels (negative: left, up); ink pushed out is cut."""
    return distort(digit, right=right, down=down)


def rotate(digit: np.ndarray, degrees: float) -> np.ndarray:
    """The digit turned about the field's centre, counter-clockwise for positive degrees."""
    return distort(digit, degrees=degrees)


def scale(digit: np.ndarray, factor: float) -> np.ndarray:
    """The digit grown (factor above 1) or shrunk (below 1) about the field's centre."""
    return distort(digit, factor=factor)


def thickness(digit: np.ndarray, amount: float) -> np.ndarray:
    """Strokes made fatter (amount above 0) or thinner (below 0), by up to about a pixel a side."""
    return to_uint8(thickness_float(np.asarray(digit, dtype=np.float32), amount))


def dilate(images: np.ndarray) -> np.ndarray:
    """Each pixel becomes the brightest of its 3 x 3 neighbourhood: every stroke grows a pixel.

    Works on one picture (H, W) or a stack (N, H, W); the border repeats its edge, which is the
    same as looking only at the neighbours inside the picture.
    """
    padded = np.pad(images, [(0, 0)] * (images.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    height, width = images.shape[-2:]
    return np.max([padded[..., r:r + height, c:c + width] for r in range(3) for c in range(3)],
                  axis=0)


def thin(images: np.ndarray, level: float | np.ndarray, ink: float = 255.0) -> np.ndarray:
    """Cut away every stroke's soft edge: ink below ``level`` becomes paper, the rest is
    stretched back to full ink. A stroke's faint border goes, its bright core stays: a thinner pen.

    (A 3 x 3 "min", the opposite of :func:`dilate`, takes a whole pixel off every side, which
    leaves almost nothing of MNIST's 2-3 pixel strokes.)
    """
    level = np.asarray(level, dtype=np.float32)
    return np.clip((images - level) * ink / (ink - level), 0.0, ink)


def thickness_float(images: np.ndarray, amount: float | np.ndarray,
                    ink: float = 255.0) -> np.ndarray:
    """Thicker (amount > 0): blend towards the 3 x 3 dilation; thinner (amount < 0): cut the
    strokes' edges below ``-amount x THIN_LEVEL`` of full ink. Float in, float out.

    ``amount`` is one number or one per picture of a stack, between -1 and 1; ``ink`` is the
    value of full ink (255, or 1 for pixels already divided by 255).
    """
    amount = np.asarray(amount, dtype=np.float32)
    if np.any(np.abs(amount) > MAX_THICKNESS):
        raise ValueError(f"the thickness amount must be within +-{MAX_THICKNESS:g}")
    if not np.any(amount):
        return images
    weight = amount.reshape(amount.shape + (1,) * 2)
    grown = images + np.maximum(weight, 0) * (dilate(images) - images)
    return thin(grown, np.maximum(-weight, 0) * THIN_LEVEL * ink, ink)


def to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Distorted:
    """A set of digits, each changed by its own drawn shift, turn, scale and thickness."""

    images: np.ndarray  # (N, 28, 28) uint8
    right: np.ndarray  # (N,) pixels
    down: np.ndarray
    degrees: np.ndarray
    factor: np.ndarray
    amount: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def __repr__(self) -> str:
        return (f"Distorted({len(self)} digits, shift up to {np.abs(self.right).max():.1f} px, "
                f"turn up to {np.abs(self.degrees).max():.1f} degrees)")


def robustness_set(digits: np.ndarray, seed: int = ROBUSTNESS_SEED) -> Distorted:
    """Every digit moved by up to 3 pixels (each way), turned by up to 15 degrees, scaled by
    0.8-1.2 and made thinner or thicker: all four on every digit, drawn uniformly with ``seed``.

    The thickness changes by 0.4 to 1 (a random sign): each digit is visibly thinner or thicker.
    """
    digits = np.asarray(digits)
    count = len(digits)
    rng = np.random.default_rng(seed)
    right = rng.uniform(-MAX_SHIFT, MAX_SHIFT, count)
    down = rng.uniform(-MAX_SHIFT, MAX_SHIFT, count)
    degrees = rng.uniform(-MAX_DEGREES, MAX_DEGREES, count)
    factor = rng.uniform(*SCALES, count)
    amount = rng.uniform(*ROBUSTNESS_THICKNESS, count) * rng.choice([-1.0, 1.0], count)
    pens = thickness_float(digits.astype(np.float32), amount)
    images = np.zeros((count, SIDE, SIDE), np.uint8)
    for i, (pen, r, d, g, f) in enumerate(zip(pens, right, down, degrees, factor)):
        images[i] = to_uint8(moved(pen, r, d, g, f))
    return Distorted(images, right, down, degrees, factor, amount)
