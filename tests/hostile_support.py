"""Hostile inputs, built cheaply: files that are not what they claim, and malformed canvas values.

Shared by tests/test_hostile_input.py (AppTest and direct calls) and the browser test.
"""

from __future__ import annotations

import base64
import functools
import io
import struct
import zipfile
import zlib

import numpy as np
from draw_support import png_bytes, strokes
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A hand-made PNG whose header claims width x height 8-bit gray pixels, with one row of data.

    A few hundred bytes that, decoded naively, would allocate width x height bytes and more: a
    decompression bomb.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1))
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def save(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def dark_one(size: int = 120) -> Image.Image:
    """A dark vertical stroke on white paper: a 1 as a photo of paper would show it."""
    paper = strokes([[(size * 0.5, size * 0.15), (size * 0.47, size * 0.85)]],
                    width=max(2, size // 12), size=size)[..., 0]
    return Image.fromarray(paper)


def good_upload() -> bytes:
    return save(dark_one())


def zip_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("digit.png", good_upload())
    return buffer.getvalue()


def animated_png() -> bytes:
    first, second = dark_one(), Image.new("L", (120, 120), 255)
    return save(first, save_all=True, append_images=[second], duration=100, loop=0)


def sixteen_bit_png() -> bytes:
    """16-bit gray: paper at 60000, ink at 8000 of 65535 (8-bit conversion would clip both)."""
    gray = np.asarray(dark_one(), dtype=np.float64) / 255.0
    levels = (8000 + gray * (60000 - 8000)).astype(np.uint16)
    return save(Image.fromarray(levels))


@functools.cache
def hostile_uploads() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, file name): every upload the drawing page must survive (the outcome each
    should have is in tests/test_hostile_input.py). Built once; do not change the dict."""
    good = good_upload()
    rng = np.random.default_rng(7)
    return {
        "text": (b"these are words, not pixels\n" * 20, "notes.txt"),
        "zip": (zip_file(), "digits.zip"),
        "random bytes named .png": (rng.bytes(4000), "digit.png"),
        "PNG of 5000 x 20": (save(Image.new("L", (5000, 20), 255)), "wide.png"),
        "decompression bomb (header 60000 x 60000)": (png_claiming(60_000, 60_000), "bomb.png"),
        "PNG header of 4096 x 4096, one row of data": (png_claiming(4096, 4096), "big.png"),
        "truncated PNG": (good[: len(good) // 2], "cut.png"),
        "JPEG named .png": (save(dark_one(), "JPEG"), "really-a-jpeg.png"),
        "empty file": (b"", "empty.png"),
        "animated PNG": (animated_png(), "animated.png"),
        "GIF named .png": (save(dark_one(), "GIF"), "gif.png"),
        "16-bit PNG": (sixteen_bit_png(), "deep.png"),
        "palette PNG": (save(dark_one().convert("P")), "palette.png"),
        "CMYK JPEG": (save(dark_one().convert("CMYK"), "JPEG"), "cmyk.jpg"),
        "1 x 1 PNG": (save(Image.new("L", (1, 1), 0)), "dot.png"),
        "all white": (save(Image.new("L", (200, 200), 255)), "white.png"),
        "all black": (save(Image.new("L", (200, 200), 0)), "black.png"),
        "transparent": (save(Image.new("RGBA", (80, 80), (0, 0, 0, 0))), "clear.png"),
        "over 5 MB": (rng.bytes(6 * 2**20), "huge.png"),
    }


# ---- the canvas ---------------------------------------------------------------------------------

def _cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def canvas_state(data) -> dict:
    """The component's value around a given "data" field."""
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": data},
            "backgroundFit": None}


@functools.cache
def hostile_canvas_values(size: int = 280) -> dict[str, object]:
    """name -> a value the browser could send for a size x size canvas instead of a drawing."""
    white = np.full((size, size), 255, np.uint8)
    return {
        "drawing is a string": {"drawing": "a drawing", "backgroundFit": None},
        "drawing is a list": {"drawing": [1, 2, 3], "backgroundFit": None},
        "data is a number": canvas_state(12),
        "data is not a data URL": canvas_state("hello"),
        "data URL of a JPEG type": canvas_state("data:image/jpeg;base64,"
                                                + base64.b64encode(save(dark_one(), "JPEG"))
                                                .decode()),
        "data is not base64": canvas_state("data:image/png;base64,@@not base64!!"),
        "base64 with bad padding": canvas_state("data:image/png;base64,abc"),
        "base64 of text": canvas_state(data_url(b"not a png at all")),
        "PNG of 10 x 10": canvas_state(data_url(png_bytes(np.full((10, 10, 4), 255, np.uint8)))),
        "PNG of 5000 x 1": canvas_state(data_url(png_bytes(np.full((1, 5000, 4), 255,
                                                                   np.uint8)))),
        "PNG header claiming 60000 x 60000": canvas_state(data_url(png_claiming(60_000, 60_000))),
        "truncated PNG": canvas_state(data_url(_cut_in_half(png_bytes(strokes([[(140, 40),
                                                                               (140, 240)]]))))),
        "16-bit PNG": canvas_state(data_url(save(Image.fromarray(white.astype(np.uint16))))),
        "huge base64 string": canvas_state("data:image/png;base64," + "A" * 8_000_000),
    }


@functools.cache
def harmless_canvas_values(size: int = 280) -> dict[str, object]:
    """Values that are odd but mean nothing drawn (or a readable drawing): no warning expected."""
    gray_one = strokes([[(140, 40), (136, 240)]], size=size)[..., 0]
    return {
        "None": None,
        "empty dict": {},
        "drawing None": {"drawing": None},
        "data None": canvas_state(None),
        # the component itself trips over it; the drawing it holds (none) is all a page reads
        "background fit missing its fields": {"drawing": None, "backgroundFit": {"x": 1}},
        "grayscale PNG of the right size": canvas_state(data_url(png_bytes(gray_one))),
    }
