"""What an uploaded file may cost, read from its bytes and header before anything is decoded.

A small file can claim a huge picture: a 65 KB PNG can say it is 4096 x 4096 pixels, 64 MB once
decoded. Every limit here is checked without decoding the picture, and each refusal says why and
what would be accepted. The limits keep one upload under 64 MB of memory and half a second
(measured by bench/upload_decode.py).
"""

from __future__ import annotations

import io
import math
import struct
import zlib

from PIL import Image

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_SIDE = 4096
DECODE_BYTES = 16 * 1024 * 1024  # the most a picture may take in memory once decoded
PROGRESSIVE_BYTES = 48 * 1024 * 1024  # libjpeg keeps every coefficient of a multi-scan JPEG
UPLOAD_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: a JPEG holding several pictures (phones)
MAX_PNG_CHUNKS = 2000  # honest encoders write chunks of 8 KB or more: 640 in 5 MB
MAX_PNG_TEXT = 4 * 1024 * 1024  # bytes of inflated text, profiles and notes, in all
MAX_JPEG_SCANS = 100  # a progressive JPEG has about 10; each scan passes over the whole picture

# Bytes per pixel in Pillow's memory, by mode (1-bit pixels take a byte each, RGB takes four).
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
MODE_NAMES = {"1": "black and white", "L": "grayscale", "P": "with a palette",
              "LA": "grayscale with transparency", "PA": "palette with transparency",
              "RGB": "colour", "RGBA": "colour with transparency", "CMYK": "CMYK colour",
              "I;16": "16-bit grayscale", "I;16B": "16-bit grayscale", "I;16L": "16-bit grayscale"}
# Formats the page does not read, by their first bytes: (bytes, where, Pillow's name or None)
OTHER_FORMATS = ((b"GIF8", 0, "GIF"), (b"BM", 0, "BMP"), (b"II*\0", 0, "TIFF"),
                 (b"MM\0*", 0, "TIFF"), (b"WEBP", 8, "WEBP"), (b"ftypheic", 4, None),
                 (b"ftypheix", 4, None), (b"ftypmif1", 4, None), (b"ftypavif", 4, None))


class UploadError(ValueError):
    """An uploaded file that cannot be used, with a message to show the reader."""



def largest_pixels(mode: str) -> int:
    """How many pixels a PNG of this mode may have: DECODE_BYTES of memory once decoded."""
    return DECODE_BYTES // BYTES_PER_PIXEL.get(mode, 4)



def check_bytes(data: bytes) -> None:
    """Refuse an empty or too large file, a PNG of thousands of chunks or much hidden text, and a
    JPEG of very many scans: all seen in the bytes, before Pillow reads them."""
    if len(data) == 0:
        raise UploadError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"The file is {len(data) / 2**20:.1f} MB; the limit is "
                          f"{MAX_UPLOAD_BYTES // 2**20} MB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png_chunks(data)
    elif jpeg_scans(data) > MAX_JPEG_SCANS:
        raise UploadError("This JPEG is made of hundreds of passes, far more than a camera "
                          "writes: save it again as a standard JPEG or a PNG.")


def jpeg_scans(data: bytes) -> int:
    """How many scans (passes over the picture) a JPEG's own data has, read from its markers.

    A camera's JPEG has one scan holding every colour channel; a progressive one about ten; a
    baseline one may also keep each channel in a scan of its own. Marker segments (a thumbnail
    in the EXIF data holds scans of its own) and the coded data are stepped over, not counted.
    """
    position, scans = 2, 0
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return scans  # not a marker where one must be: the decoder says what is wrong
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte before a marker
            position += 1
            continue
        if marker == 0xD9:  # end of image (an MPO's next picture follows)
            return scans
        length = int.from_bytes(data[position + 2: position + 4], "big")
        position += 2 + length
        if marker != 0xDA:
            continue
        scans += 1
        while True:  # the coded data: up to a marker (0xFF not followed by 0x00 or a restart)
            position = data.find(b"\xff", position)
            if position < 0 or position + 1 >= len(data):
                return scans
            following = data[position + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                position += 2
                continue
            break
    return scans


def check_header(image: Image.Image, data: bytes = b"") -> None:
    """Refuse, from its header alone, a picture that is not a PNG or JPEG or would cost too much.

    ``data``, the file's bytes, tells a JPEG kept in several scans from a one-scan JPEG.
    """
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
    elif image.info.get("progressive") or jpeg_scans(data) > 1:
        _check_multiscan_cost(image)


def bomb() -> UploadError:
    return UploadError("The picture claims to be enormous (a decompression bomb?): refused.")


def not_readable(data: bytes) -> str:
    """Why a file Pillow cannot open as a PNG or JPEG is refused, naming its format if known.

    The format is named only when that one format's reader opens it (a header read, no pixels);
    a HEIC or AVIF photo, which Pillow has no reader for, is named from its first bytes.
    """
    for magic, offset, format in OTHER_FORMATS:
        if data[offset: offset + len(magic)] != magic:
            continue
        if format is None:
            kind = "an AVIF image" if magic == b"ftypavif" else "a HEIC photo"
            return f"This is {kind}: upload a PNG or JPEG."
        try:
            with Image.open(io.BytesIO(data), formats=[format]) as other:
                return f"This is a {other.format} image: upload a PNG or JPEG."
        except Exception:  # not that format after all
            break
    return "This is not an image that can be read: upload a PNG or JPEG."


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


def _check_multiscan_cost(image: Image.Image) -> None:
    """Refuse a JPEG in several scans whose coefficients (2 bytes each) exceed PROGRESSIVE_BYTES.

    A progressive JPEG sends the picture in several passes, and a baseline one may keep each
    colour channel in a scan of its own; either way libjpeg keeps every coefficient of every
    channel until the last scan, whatever size it is decoded at. A channel sampled at half the
    width and height has a quarter as many.
    """
    width, height = image.size
    layers = [(max(1, h), max(1, v)) for _, h, v, _ in getattr(image, "layer", [])] or [(1, 1)]
    h_max, v_max = max(h for h, _ in layers), max(v for _, v in layers)
    per_pixel = 2 * sum(h * v for h, v in layers) / (h_max * v_max)  # bytes per pixel
    if width * height * per_pixel <= PROGRESSIVE_BYTES:
        return
    allowed = int(PROGRESSIVE_BYTES / per_pixel)
    side = min(MAX_UPLOAD_SIDE, math.isqrt(allowed))
    kind = "progressive JPEG" if image.info.get("progressive") else "JPEG (stored in several scans)"
    raise UploadError(f"This {kind} ({width} x {height} pixels) would take "
                      f"{width * height * per_pixel / 2**20:.0f} MB to open. One like it can "
                      f"have at most {allowed / 1e6:.1f} million pixels, such as {side} x {side}: "
                      "save it as a standard one-scan JPEG, or smaller.")
