"""From a drawing to the 28 x 28 input the network expects, the way MNIST itself was made.

MNIST's authors scaled each digit to fit a 20 x 20 box, keeping its aspect ratio, and then placed
it in a 28 x 28 field so that its centre of mass sits at the centre. Ink is high (255), paper is
0. A drawing goes through the same steps, and each step is kept so a page can show it:

    RGBA drawing -> grayscale ink -> crop to the ink -> fit in 20 x 20 -> centre of mass at (14, 14)

The other way, "just shrink the whole canvas to 28 x 28", is here too, to show why it reads worse.
Uploaded photos or scans go through :func:`decode_upload` first (size checks, dark ink on light
paper inverted), then through the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from explainer.concepts.inputs.upload import WORK_SIDE, read_picture  # noqa: F401  (named here too)
from explainer.concepts.inputs.upload_limits import (  # noqa: F401  (the upload limits, named here too)
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_SIDE,
    UploadError,
)

GRID = 28  # the network's input is GRID x GRID pixels
BOX = 20  # MNIST's digits fit in a BOX x BOX square inside the grid
CENTRE = 14.0  # where MNIST's centre of mass sits (row, column), measured: 14.00 +- 0.29
INK_LEVEL = 0.1 * 255  # a pixel darker than this counts as paper when finding the ink

@dataclass(frozen=True)
class Steps:
    """Every stage between the drawing and the network's input (float arrays, ink 0-255)."""

    grayscale: np.ndarray  # (H, W) the whole drawing
    box: tuple[int, int, int, int]  # the ink's bounding box: top, left, bottom, right (exclusive)
    cropped: np.ndarray  # the drawing cut to that box
    fitted: np.ndarray  # scaled so its longer side is BOX pixels, aspect ratio kept
    centred: np.ndarray  # (28, 28) fitted, moved so its centre of mass is at CENTRE
    offset: tuple[int, int]  # where fitted's top-left corner landed in the grid
    digit: np.ndarray  # (28, 28) uint8: what the network reads

    def __repr__(self) -> str:
        top, left, bottom, right = self.box
        return (f"Steps(ink {bottom - top}x{right - left} at ({top}, {left}), "
                f"fitted {self.fitted.shape[0]}x{self.fitted.shape[1]}, offset {self.offset})")


def to_grayscale(rgba: np.ndarray) -> np.ndarray:
    """A drawing (RGBA or RGB uint8) -> ink as float64 0-255: its darkness on white paper.

    The canvas draws dark ink on white paper; the network wants MNIST's values, ink high and
    paper 0. So each pixel is laid over white paper and its darkness (255 minus its brightness)
    is the ink; a transparent pixel is paper. A 2-D array is taken as ink already (MNIST's way).
    """
    image = np.asarray(rgba)
    if image.ndim == 2:
        return image.astype(np.float64)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 3 or 4) image, got shape {image.shape}")
    rgb = image[..., :3].astype(np.float64)
    darkness = 255.0 - rgb @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as PIL's "L"
    if image.shape[2] == 4:
        darkness *= image[..., 3] / 255.0  # over white paper: see-through ink is lighter
    return np.clip(darkness, 0.0, 255.0)


def ink_box(gray: np.ndarray, level: float = INK_LEVEL) -> tuple[int, int, int, int] | None:
    """The smallest box holding every pixel brighter than ``level``, or None for a blank image."""
    ink = gray > level
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Smooth (anti-aliased) resize of a float image, as MNIST's digits were."""
    pil = Image.fromarray(np.ascontiguousarray(image, dtype=np.float32))
    out = pil.resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(out, dtype=np.float64), 0.0, 255.0)


def fit_in_box(cropped: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale so the longer side is ``box`` pixels, keeping the aspect ratio."""
    height, width = cropped.shape
    scale = box / max(height, width)
    return resize(cropped, max(1, round(height * scale)), max(1, round(width * scale)))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """The ink-weighted mean row and column (the balance point of the ink)."""
    total = image.sum()
    if total <= 0:
        raise ValueError("no ink: the centre of mass is undefined")
    rows = np.arange(image.shape[0]) @ image.sum(axis=1) / total
    cols = np.arange(image.shape[1]) @ image.sum(axis=0) / total
    return float(rows), float(cols)


def place_by_centre_of_mass(fitted: np.ndarray, grid: int = GRID,
                            centre: float = CENTRE) -> tuple[np.ndarray, tuple[int, int]]:
    """Put ``fitted`` in a grid x grid field so its centre of mass lands on (centre, centre).

    The shift is a whole number of pixels, as in MNIST, so the error is at most half a pixel; a
    digit whose ink is piled up at one edge is kept whole rather than cut off.
    """
    height, width = fitted.shape
    row, col = centre_of_mass(fitted)
    top = int(np.clip(round(centre - row), 0, grid - height))
    left = int(np.clip(round(centre - col), 0, grid - width))
    field = np.zeros((grid, grid))
    field[top:top + height, left:left + width] = fitted
    return field, (top, left)


def to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def mnist_steps(drawing: np.ndarray) -> Steps | None:
    """A drawing (RGBA from the canvas, or grayscale ink) -> every MNIST step; None when blank."""
    gray = to_grayscale(drawing)
    box = ink_box(gray)
    if box is None:
        return None
    top, left, bottom, right = box
    cropped = gray[top:bottom, left:right]
    fitted = fit_in_box(cropped)
    centred, offset = place_by_centre_of_mass(fitted)
    return Steps(gray, box, cropped, fitted, centred, offset, to_uint8(centred))


def naive_shrink(drawing: np.ndarray) -> np.ndarray | None:
    """The whole drawing squeezed into 28 x 28, no cropping or centring; None when blank."""
    gray = to_grayscale(drawing)
    if ink_box(gray) is None:
        return None
    return to_uint8(resize(gray, GRID, GRID))


@dataclass(frozen=True)
class Upload:
    """An uploaded picture as ink (float 0-255, ink high) and what was done to it."""

    ink: np.ndarray
    inverted: bool  # dark ink on light paper was turned into light ink on dark
    size: tuple[int, int]  # width, height as uploaded (upright)
    format: str
    frames: int = 1  # an animated picture has several: only the first is read
    turned: bool = False  # a photo turned upright as its EXIF orientation asked

    @property
    def shrunk(self) -> bool:
        """Whether the picture was shrunk to WORK_SIDE before reading."""
        return self.ink.shape != (self.size[1], self.size[0])


def decode_upload(data: bytes) -> Upload:
    """Check and decode an uploaded PNG or JPEG into ink; raise UploadError with a clear reason.

    The checks and the decoding, which keep a small file that claims a huge picture from costing
    the server much memory, are in :mod:`explainer.concepts.inputs.upload`. A picture larger than
    WORK_SIDE is shrunk to it; a phone photo is turned upright; an animated one is read from its
    first frame.
    """
    picture = read_picture(data)
    ink, inverted = ink_from_paper(picture.gray.astype(np.float64))
    return Upload(ink, inverted, picture.size, picture.format, picture.frames, picture.turned)


def ink_from_paper(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """Make ink bright and paper black; stretch so the paper is 0 and the darkest ink 255.

    The paper is the image's most common brightness (its median): if it is light, the picture is
    dark ink on light paper and gets inverted. Paper that is grey in a photo is pulled down to 0.
    """
    inverted = bool(np.median(gray) > 127)
    ink = 255.0 - gray if inverted else gray.copy()
    paper = float(np.median(ink))
    strongest = float(np.percentile(ink, 99.9))
    if strongest - paper < 30:  # a small digit on a big page: fewer ink pixels than 0.1%
        strongest = float(ink.max())
    if strongest - paper < 30:  # barely any contrast: nothing that looks like ink
        return np.zeros_like(ink), inverted
    stretched = np.clip((ink - paper) / (strongest - paper) * 255.0, 0.0, 255.0)
    stretched[stretched < 0.15 * 255] = 0.0  # paper texture and noise
    return stretched, inverted
