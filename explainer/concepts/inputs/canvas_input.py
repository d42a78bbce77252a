"""What the drawing canvas sends back, checked before a page trusts it.

The canvas (streamlit-drawable-canvas 0.13.0) keeps its value as
``{"drawing": {"raw": <Fabric.js objects>, "data": "data:image/png;base64,<PNG>"}, ...}``: the
browser renders the strokes to a PNG of exactly the canvas' size and sends it as a data URL. A
browser can send anything in its place, so each step is checked and a clear :class:`CanvasError`
replaces whatever would otherwise break further down:

    value -> "drawing" -> data URL (PNG, not too long) -> base64 -> PNG of the canvas' size -> RGBA
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping

import numpy as np
from PIL import Image

PREFIX = "data:image/png;base64,"
MODES = ("RGBA", "RGB", "LA", "L", "P")  # 8-bit modes that turn into RGBA without surprises


class CanvasError(ValueError):
    """A canvas value that is not a drawing of this canvas, with a message to show the reader."""


def max_data_url_length(width: int, height: int) -> int:
    """The longest data URL an honest canvas can send: its PNG can't be much over the raw RGBA.

    Uncompressed, a width x height RGBA PNG holds height rows of 1 + 4 width bytes; zlib's stored
    blocks add a few bytes per 64 KB, the PNG chunks a few more. Base64 turns 3 bytes into 4.
    """
    raw = height * (1 + 4 * width)
    png = raw + raw // 1000 + 1024
    return len(PREFIX) + 4 * (png // 3 + 1)


def read_drawing(value: object, width: int, height: int) -> np.ndarray | None:
    """The canvas' value -> its picture as (height, width, 4) uint8 RGBA; None if nothing drawn.

    Raises CanvasError for a value this canvas cannot have sent: another shape of value, a data
    URL that is not a base64 PNG, a string too long for the canvas, or a PNG of another size.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise CanvasError("The canvas sent something that is not a drawing.")
    drawing = value.get("drawing")
    if drawing is None:
        return None
    if not isinstance(drawing, Mapping):
        raise CanvasError("The canvas sent something that is not a drawing.")
    data = drawing.get("data")
    if data is None:
        return None
    if not isinstance(data, str) or not data.startswith(PREFIX):
        raise CanvasError("The canvas' picture did not arrive as a PNG.")
    if len(data) > max_data_url_length(width, height):
        raise CanvasError(f"The canvas' picture is far too large ({len(data) / 2**20:.1f} MB) for "
                          f"a {width} x {height} canvas.")
    try:
        png = base64.b64decode(data[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CanvasError("The canvas' picture is not valid base64.") from exc
    return decode_canvas_png(png, width, height)


def decode_canvas_png(png: bytes, width: int, height: int) -> np.ndarray:
    """PNG bytes of exactly width x height pixels -> RGBA uint8; CanvasError for anything else.

    The size is read from the header and checked before any pixel is decoded.
    """
    try:
        image = Image.open(io.BytesIO(png))  # reads the header only
    except Exception as exc:  # not an image, or a header claiming a decompression bomb
        raise CanvasError("The canvas' picture is not a PNG that can be read.") from exc
    if image.format != "PNG":
        raise CanvasError(f"The canvas' picture is a {image.format}, not a PNG.")
    if image.size != (width, height):
        raise CanvasError(f"The canvas' picture is {image.size[0]} x {image.size[1]} pixels, "
                          f"not the canvas' {width} x {height}.")
    if image.mode not in MODES:
        raise CanvasError(f"The canvas' picture has an unexpected pixel format ({image.mode}).")
    try:
        rgba = image.convert("RGBA")
    except Exception as exc:  # truncated or corrupt pixel data
        raise CanvasError("The canvas' picture is damaged and cannot be decoded.") from exc
    return np.asarray(rgba, dtype=np.uint8)
