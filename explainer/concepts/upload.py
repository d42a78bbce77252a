"""Reading an uploaded picture without letting it cost the server much: a few tens of MB at most.

A small file can claim a huge picture: a 65 KB PNG can say it is 4096 x 4096 pixels, which is
64 MB once decoded. So the cost is read from the header first, and the picture is refused before
decoding when it would cost too much. A JPEG is shrunk while it is decoded (libjpeg's "draft"
mode decodes at 1/2, 1/4 or 1/8 size); a PNG can only be decoded whole, so its pixels are limited
by how many bytes each takes in memory, and it is turned into gray a band of rows at a time. At
most two pictures are decoded at once across the server. Phone photos are read the way they are
meant to be seen: the first picture of a multi-picture JPEG (MPO), turned upright as its EXIF
orientation says.
"""

from __future__ import annotations

import io
import math
import struct
import threading
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_SIDE = 4096
WORK_SIDE = 1024  # a larger picture is shrunk to this: plenty for a digit
DECODE_BYTES = 16 * 1024 * 1024  # the most a picture may take in memory once decoded
PROGRESSIVE_BYTES = 48 * 1024 * 1024  # libjpeg keeps all of a progressive JPEG's coefficients
UPLOAD_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: a JPEG holding several pictures (phones)
DECODES_AT_ONCE = 2  # across the server
WAIT_SECONDS = 20  # for a free decoding slot, before the reader is told to try again
MAX_PNG_CHUNKS = 2000  # honest encoders write chunks of 8 KB or more: 640 in 5 MB
MAX_PNG_TEXT = 4 * 1024 * 1024  # bytes of inflated text, profiles and notes, in all
MAX_JPEG_SCANS = 100  # a progressive JPEG has about 10; each scan passes over the whole picture
BAND_PIXELS = 1 << 20  # a PNG is turned into gray about this many pixels at a time

# Bytes per pixel in Pillow's memory, by mode (1-bit pixels take a byte each, RGB takes four).
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
MODE_NAMES = {"1": "black and white", "L": "grayscale", "P": "with a palette",
              "LA": "grayscale with transparency", "PA": "palette with transparency",
              "RGB": "colour", "RGBA": "colour with transparency", "CMYK": "CMYK colour",
              "I;16": "16-bit grayscale", "I;16B": "16-bit grayscale", "I;16L": "16-bit grayscale"}
OTHER_FORMATS = ((b"GIF8", 0, "a GIF image"), (b"BM", 0, "a BMP image"),
                 (b"II*\0", 0, "a TIFF image"), (b"MM\0*", 0, "a TIFF image"),
                 (b"WEBP", 8, "a WebP image"), (b"ftypheic", 4, "a HEIC photo"),
                 (b"ftypheix", 4, "a HEIC photo"), (b"ftypmif1", 4, "a HEIC photo"),
                 (b"ftypavif", 4, "an AVIF image"))
# EXIF orientation -> the turn that makes the picture upright (as PIL.ImageOps.exif_transpose)
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
           4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
           6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
EXIF_ORIENTATION = 0x0112

_slots = threading.BoundedSemaphore(DECODES_AT_ONCE)


class UploadError(ValueError):
    """An uploaded file that cannot be used, with a message to show the reader."""


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


def largest_pixels(mode: str) -> int:
    """How many pixels a PNG of this mode may have: DECODE_BYTES of memory once decoded."""
    return DECODE_BYTES // BYTES_PER_PIXEL.get(mode, 4)


def read_picture(data: bytes) -> Picture:
    """Check and decode an uploaded PNG or JPEG into gray; raise UploadError with a clear reason.

    Refused before decoding: more than 5 MB, not a PNG or JPEG, a side over 4096 pixels, a PNG
    that would take more than DECODE_BYTES once decoded (the message names the largest accepted),
    a PNG cut into thousands of chunks or stuffed with compressed text, a JPEG of very many scans.
    """
    if len(data) == 0:
        raise UploadError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"The file is {len(data) / 2**20:.1f} MB; the limit is "
                          f"{MAX_UPLOAD_BYTES // 2**20} MB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png_chunks(data)
    elif data.count(b"\xff\xda") > MAX_JPEG_SCANS:  # start-of-scan markers (an upper bound)
        raise UploadError("This JPEG is made of hundreds of passes, far more than a camera "
                          "writes: save it again as a standard JPEG or a PNG.")
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise UploadError("Many pictures are being read right now: try again in a moment.")
    try:
        return _decode(data)
    finally:
        _slots.release()


def _decode(data: bytes) -> Picture:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])  # the header only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb() from exc
        except Exception as exc:  # PIL.UnidentifiedImageError, OSError, SyntaxError ...
            raise UploadError(f"This is {_other_format(data) or 'not an image that can be read'}"
                              ": upload a PNG or JPEG.") from exc
        if image.format not in UPLOAD_FORMATS:
            raise UploadError(f"This is a {image.format} image: upload a PNG or JPEG.")
        width, height = image.size
        if width > MAX_UPLOAD_SIDE or height > MAX_UPLOAD_SIDE:
            raise UploadError(f"The picture is {width} x {height} pixels; the limit is "
                              f"{MAX_UPLOAD_SIDE} x {MAX_UPLOAD_SIDE}.")
        if width < 1 or height < 1:
            raise UploadError("The picture has no pixels.")
        if image.format == "PNG":
            _check_png_cost(image)
        elif image.info.get("progressive"):
            _check_progressive_cost(image)
        frames = getattr(image, "n_frames", 1)
        orientation = _orientation(image)
        try:
            gray = _jpeg_gray(image) if image.format != "PNG" else _png_gray(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _bomb() from exc
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


def _bomb() -> UploadError:
    return UploadError("The picture claims to be enormous (a decompression bomb?): refused.")


def _other_format(data: bytes) -> str | None:
    """The name of a picture format the page does not read, from its first bytes."""
    for magic, offset, name in OTHER_FORMATS:
        if data[offset: offset + len(magic)] == magic:
            return name
    return None


def _check_png_chunks(data: bytes) -> None:
    """Walk a PNG's chunks without decoding: refuse thousands of them, or too much text."""
    position, chunks, text = 8, 0, 0
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position: position + 8])
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise UploadError(f"This PNG is cut into more than {MAX_PNG_CHUNKS:,} pieces, far "
                              "more than a drawing program writes: save it again.")
        if kind in (b"zTXt", b"iTXt", b"iCCP"):  # compressed: count what they inflate to
            text += _inflated_size(data[position + 8: position + 8 + length], MAX_PNG_TEXT - text)
            if text > MAX_PNG_TEXT:
                raise UploadError("This PNG carries megabytes of hidden text or colour "
                                  "profiles: save it again without them.")
        if kind == b"IEND":
            return
        position += 12 + length


def _inflated_size(chunk: bytes, limit: int) -> int:
    """Bytes the compressed part of a text or profile chunk inflates to (stops past ``limit``)."""
    start = chunk.find(b"\0")  # after the keyword; iTXt has a few more header fields
    if start < 0:
        return 0
    for skip in (2, 4):  # zTXt / iCCP: method; iTXt: flag, method, language\0, keyword\0
        try:
            inflater = zlib.decompressobj()
            body = chunk[start + skip:]
            if skip == 4:
                body = body.split(b"\0", 2)[-1]
            return len(inflater.decompress(body, max(1, limit + 1)))
        except zlib.error:
            continue
    return 0


def _check_png_cost(image: Image.Image) -> None:
    """Refuse a PNG that would take more than DECODE_BYTES once decoded, naming the largest."""
    width, height = image.size
    allowed = largest_pixels(image.mode)
    if width * height <= allowed:
        return
    side = min(MAX_UPLOAD_SIDE, math.isqrt(allowed))
    kind = MODE_NAMES.get(image.mode, image.mode)
    cost = width * height * BYTES_PER_PIXEL.get(image.mode, 4) / 2**20
    raise UploadError(f"This PNG ({width} x {height} pixels, {kind}) would take {cost:.0f} MB "
                      f"to open. A PNG like it can have at most {allowed / 1e6:.1f} million "
                      f"pixels, such as {side} x {side}: save it smaller, or as a JPEG.")


def _check_progressive_cost(image: Image.Image) -> None:
    """Refuse a progressive JPEG whose coefficients (2 bytes each) exceed PROGRESSIVE_BYTES.

    A progressive JPEG sends the picture in several passes, so libjpeg keeps every coefficient
    of every colour channel until the last pass, whatever size it is decoded at. A channel
    sampled at half the width and height has a quarter as many.
    """
    width, height = image.size
    layers = [(max(1, h), max(1, v)) for _, h, v, _ in getattr(image, "layer", [])] or [(1, 1)]
    h_max, v_max = max(h for h, _ in layers), max(v for _, v in layers)
    per_pixel = 2 * sum(h * v for h, v in layers) / (h_max * v_max)  # bytes per pixel
    if width * height * per_pixel <= PROGRESSIVE_BYTES:
        return
    allowed = int(PROGRESSIVE_BYTES / per_pixel)
    side = min(MAX_UPLOAD_SIDE, math.isqrt(allowed))
    raise UploadError(f"This progressive JPEG ({width} x {height} pixels) would take "
                      f"{width * height * per_pixel / 2**20:.0f} MB to open. One like it can "
                      f"have at most {allowed / 1e6:.1f} million pixels, such as {side} x {side}: "
                      "save it as a standard (baseline) JPEG, or smaller.")


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
