"""Read a QR code's modules back from its picture: which squares are dark, row by row.

The picture's finder pattern (the 7-module square in the top-left corner) gives the size of a
module and the margin; each module is then read at its centre. The result compares with an
encoder's matrix (1 dark, 0 light).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def modules_of_png(png: bytes) -> list[list[int]]:
    gray = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    dark = gray < 128
    rows = np.flatnonzero(dark.any(axis=1))
    top = rows[0]
    left = np.flatnonzero(dark[top])[0]
    finder = np.flatnonzero(~dark[top, left:])[0]  # the finder's top edge: 7 dark modules
    size = finder / 7
    count = round((dark.shape[1] - 2 * left) / size)
    centres = [round(left + (i + 0.5) * size) for i in range(count)]
    tops = [round(top + (i + 0.5) * size) for i in range(count)]
    return [[int(dark[y, x]) for x in centres] for y in tops]
