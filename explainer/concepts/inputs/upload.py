"""Decoding an uploaded picture into gray, cheaply: a JPEG shrunk while decoded, a PNG by bands.

What a file may cost is checked first, from its bytes and header (explainer.concepts.
upload_limits). A JPEG is then shrunk while it is decoded (libjpeg's "draft" mode decodes at 1/2,
1/4 or 1/8 size); a PNG can only be decoded whole, then it is turned into gray and shrunk a band
of rows at a time, so no full-size copy is ever made. At most two pictures are decoded at once
across the server. Phone photos are read as they are meant to be seen: the first picture of a
multi-picture JPEG (MPO), turned upright as its EXIF orientation says.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from explainer.concepts.inputs.upload_limits import (
    UploadError,
    bomb,
    check_bytes,
    check_header,
    not_readable,
)

WORK_SIDE = 1024  # a larger picture is shrunk to this: plenty for a digit
DECODES_AT_ONCE = 2  # across the server
WAIT_SECONDS = 20  # for a free decoding slot, before the reader is told to try again
BAND_PIXELS = 1 << 20  # a PNG is turned into gray about this many pixels at a time
# EXIF orientation -> the turn that makes the picture upright (as PIL.ImageOps.exif_transpose)
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
           6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
EXIF_ORIENTATION = 0x0112

_slots = threading.BoundedSemaphore(DECODES_AT_ONCE)


@dataclass(frozen=True)
class Picture:
    """An upload decoded to gray (0 black - 255 white), upright, shrunk to WORK_SIDE at most."""

    gray: np.ndarray  # (H, W) uint8
    size: tuple[int, int]  # width, height of the whole picture, upright
    format: str
    frames: int = 1  # an animated PNG or an MPO holds several: only the first is read
    turned: bool = False  # turned or flipped upright as its EXIF orientation asked

    def __repr__(self) -> str:
        return (f"Picture({self.format} {self.size[0]} x {self.size[1]}, read at "
                f"{self.gray.shape[1]} x {self.gray.shape[0]}, frames={self.frames}, "
                f"turned={self.turned})")


def read_picture(data: bytes) -> Picture:
    """Check and decode an uploaded PNG or JPEG into gray; raise UploadError with a clear reason.

    Refused before decoding: more than 5 MB, not a PNG or JPEG, a side over 4096 pixels, a PNG
    that would take more than DECODE_BYTES once decoded (the message names the largest accepted),
    a PNG cut into thousands of chunks or stuffed with compressed text, a JPEG of very many scans.
    """
    check_bytes(data)
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise UploadError("Many pictures are being read right now: try again in a moment.")
    try:
        return _decode(data)
    finally:
        _slots.release()


def _decode(data: bytes) -> Picture:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on odd metadata
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])  # the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb() from exc
        except Exception as exc:  # PIL.UnidentifiedImageError, OSError, SyntaxError ...
            raise UploadError(not_readable(data)) from exc
        check_header(image, data)
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
        orientation = _orientation(image)
        try:
            gray = _jpeg_gray(image) if image.format != "PNG" else _png_gray(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb() from exc
        except Exception as exc:  # truncated or corrupt data
            raise UploadError("The picture is damaged or cut short and cannot be decoded."
                              ) from exc
        finally:
            image.close()
    turn = UPRIGHT.get(orientation)
    if turn is not None:
        gray = gray.transpose(turn)
        if turn in (Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE,
                    Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270):
            width, height = height, width
    return Picture(np.asarray(gray, dtype=np.uint8), (width, height), image.format, frames,
                   turn is not None)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8; 1 = upright), or 1 when there is none or it cannot be read."""
    try:
        value = image.getexif().get(EXIF_ORIENTATION, 1)
        return int(value) if int(value) in range(1, 9) else 1
    except Exception:  # a malformed EXIF block: read the picture as it is stored
        return 1


def _factor(width: int, height: int) -> int:
    """The whole-number shrink that brings the longer side to WORK_SIDE or below."""
    return max(1, -(-max(width, height) // WORK_SIDE))


def _jpeg_gray(image: Image.Image) -> Image.Image:
    """Decode a JPEG at 1/2, 1/4 or 1/8 of its size (no larger than needed), then shrink to gray."""
    width, height = image.size
    factor = _factor(width, height)
    image.draft("L", (-(-width // factor), -(-height // factor)))
    gray = _to_gray(image, image)
    return gray.reduce(_factor(*gray.size)) if _factor(*gray.size) > 1 else gray


def _png_gray(image: Image.Image) -> Image.Image:
    """Decode a PNG (whole: the format allows nothing else), then gray and shrink it by bands."""
    image.load()
    width, height = image.size
    factor = _factor(width, height)
    if factor == 1:
        return _to_gray(image, image)
    out = Image.new("L", (-(-width // factor), -(-height // factor)))
    rows = max(1, BAND_PIXELS // (width * factor)) * factor
    for top in range(0, height, rows):
        band = image.crop((0, top, width, min(height, top + rows)))
        out.paste(_to_gray(band, image).reduce(factor), (0, top // factor))
    return out


def _to_gray(part: Image.Image, whole: Image.Image) -> Image.Image:
    """Any mode -> 8-bit gray; transparent parts become white paper; 16 bits keep their contrast.

    ``whole`` is the picture ``part`` was cut from (its palette transparency is kept there).
    """
    if part.mode.startswith("I;16"):  # Pillow's own conversion clips at 255: scale instead
        levels = np.asarray(part, dtype=np.uint16).astype(np.float32) / 257.0
        return Image.fromarray(np.clip(np.rint(levels), 0, 255).astype(np.uint8))
    if part.mode == "P":  # one byte a pixel: look each up in the palette, over white paper
        return Image.fromarray(_palette_gray(whole)[np.asarray(part)])
    if part.mode in ("RGBA", "LA", "PA"):
        rgba = part.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        part = Image.alpha_composite(paper, rgba)
    return part.convert("L")


def _palette_gray(image: Image.Image) -> np.ndarray:
    """The gray (0-255, over white paper) of each of a palette picture's 256 colours."""
    palette = np.zeros((256, 3))
    colours = np.asarray(image.getpalette("RGB") or [], dtype=np.float64).reshape(-1, 3)[:256]
    palette[:len(colours)] = colours
    gray = palette @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as Pillow's "L"
    alpha = np.full(256, 255.0)
    transparency = image.info.get("transparency")
    if isinstance(transparency, int) and 0 <= transparency < 256:
        alpha[transparency] = 0
    elif isinstance(transparency, bytes):
        alpha[:min(256, len(transparency))] = list(transparency[:256])
    over_paper = gray * alpha / 255 + 255 * (1 - alpha / 255)
    return np.clip(np.rint(over_paper), 0, 255).astype(np.uint8)
