"""Uploads as a public demo gets them: small files claiming huge pictures, and phone photos.

The cost of each crafted upload is measured in a fresh process from its resident memory (VmHWM,
which sees Pillow's own buffers), as bench/upload_decode.py prints it. A phone photo of a real
MNIST digit, stored sideways in an MPO file with an EXIF orientation, must be read upright.
"""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from PIL import Image

from bench.upload_decode import BUDGET_MB, crafted_uploads, measure, png_in_pieces, png_with_text
from explainer.concepts.inputs import upload, upload_limits
from explainer.concepts.inputs.preprocess import UploadError, decode_upload, mnist_steps
from explainer.data.mnist import load_sample

REFUSED = {  # crafted upload -> words of the reason it is refused for
    "PNG 4096 x 4096 16-bit gray (I;16)": "at most 8.4 million pixels, such as 2896 x 2896",
    "PNG 4096 x 4096 RGB": "at most 4.2 million pixels, such as 2048 x 2048",
    "PNG 4096 x 4096 RGBA": "would take 64 MB to open",
    "PNG 4096 x 4096 gray with alpha (LA)": "such as 2048 x 2048",
    "PNG in 1-byte IDAT chunks": "cut into more than 2,000 pieces",
    "PNG with 64 MB of compressed text": "megabytes of hidden text",
    "JPEG 4096 x 4096 progressive, full colour (4:4:4)": "standard one-scan JPEG",
    "JPEG 4096 x 4096 progressive CMYK": "at most 6.3 million pixels",
    "JPEG 4096 x 4096 CMYK, baseline, a scan per channel": "stored in several scans",
    "JPEG 4096 x 4096 full colour (4:4:4), baseline, a scan per channel": "would take 96 MB",
}


def test_a_jpeg_with_a_scan_per_channel_is_made_here():
    """jpegtran (Debian's libjpeg-turbo-progs, which CI installs) makes the crafted baseline
    JPEGs whose scans hold one channel each."""
    import os
    import shutil

    if shutil.which("jpegtran") is None and os.environ.get("CI", "").lower() != "true":
        pytest.skip("jpegtran is not installed")
    data = crafted_uploads()["JPEG 4096 x 4096 CMYK, baseline, a scan per channel"]
    assert upload_limits.jpeg_scans(data) == 4
    assert not Image.open(io.BytesIO(data)).info.get("progressive")


def test_scans_are_counted_from_the_markers_not_from_a_thumbnail():
    picture = Image.new("RGB", (64, 64), "white")
    thumbnail = io.BytesIO()
    picture.save(thumbnail, "JPEG")  # an EXIF thumbnail is a whole JPEG, scans and all
    exif = Image.Exif()
    exif[0x0112] = 1
    photo = io.BytesIO()
    picture.save(photo, "JPEG", exif=exif.tobytes() + thumbnail.getvalue())
    assert photo.getvalue().count(b"\xff\xda") == 2
    assert upload_limits.jpeg_scans(photo.getvalue()) == 1
    progressive = io.BytesIO()
    picture.save(progressive, "JPEG", progressive=True)
    assert upload_limits.jpeg_scans(progressive.getvalue()) > 3


# ---- the cost of an upload ----------------------------------------------------------------------

def test_every_crafted_upload_fits_the_5_mb_cap():
    assert all(len(data) <= upload_limits.MAX_UPLOAD_BYTES for data in crafted_uploads().values())


@pytest.mark.parametrize("name", list(crafted_uploads()))
def test_a_crafted_upload_costs_less_than_the_budget(name):
    """Peak RSS of a fresh process decoding it rises by less than 64 MB (the issue's budget)."""
    cost = measure(crafted_uploads()[name])
    assert cost.peak_mb < BUDGET_MB, (name, cost)
    if name in REFUSED:
        assert cost.outcome.startswith("refused") and REFUSED[name] in cost.outcome, cost
    else:
        assert cost.outcome.startswith("read"), cost


@pytest.mark.parametrize("name", sorted(name for name in set(crafted_uploads()) - set(REFUSED)
                                        if "noise" not in name and "interlaced" not in name))
def test_an_accepted_big_picture_is_read_as_the_one_it_shows(name):
    """Shrunk to at most 1024 pixels a side, and the tall thin stroke of the 1 found whole."""
    picture = decode_upload(crafted_uploads()[name])
    assert max(picture.ink.shape) <= upload.WORK_SIDE and picture.inverted
    top, left, bottom, right = mnist_steps(picture.ink).box
    assert bottom - top > 3 * (right - left) and bottom - top > 0.6 * picture.ink.shape[0]


def test_the_largest_png_of_each_kind_is_accepted_and_one_pixel_more_is_not():
    largest = upload_limits.largest_pixels
    assert largest("RGBA") == 2048 * 2048 == largest("RGB")
    assert largest("I;16") == 2 ** 23 and 2896 ** 2 < 2 ** 23 < 2897 ** 2
    assert largest("L") == 4096 * 4096 == largest("P")
    tall = Image.new("RGBA", (1024, 4097), (255, 255, 255, 255))  # 4.2 million pixels and a row
    with pytest.raises(UploadError, match="4096 x 4096"):
        decode_upload(_save(tall))
    over = Image.new("RGBA", (2048, 2049), (255, 255, 255, 255))
    with pytest.raises(UploadError, match=r"2048 x 2049 pixels, colour with transparency\) would "
                                          r"take 16 MB to open"):
        decode_upload(_save(over))
    assert decode_upload(_save(Image.new("RGBA", (2048, 2048), (255, 255, 255, 255)))).size == \
        (2048, 2048)


def test_a_few_big_chunks_and_a_little_text_are_fine():
    assert decode_upload(png_in_pieces(piece=8192)).size == (1024, 1024)
    assert decode_upload(png_with_text(chunks=3, each=1000)).size == (256, 256)


def test_a_jpeg_of_hundreds_of_passes_is_refused_before_decoding():
    jpeg = _save(Image.new("L", (64, 64), 255), "JPEG")
    end = jpeg.rindex(b"\xff\xd9")
    scans = jpeg[jpeg.index(b"\xff\xda"): end]  # the one scan, repeated 150 times
    with pytest.raises(UploadError, match="hundreds of passes"):
        decode_upload(jpeg[:end] + scans * 150 + b"\xff\xd9")


@pytest.mark.parametrize("format, name", [("GIF", "a GIF image"), ("WEBP", "a WEBP image"),
                                          ("BMP", "a BMP image"), ("TIFF", "a TIFF image")])
def test_a_picture_in_another_format_is_named(format, name):
    data = _save(Image.new("L", (40, 40), 255), format)
    with pytest.raises(UploadError, match=f"This is {name}: upload a PNG or JPEG."):
        decode_upload(data)
    with pytest.raises(UploadError, match="not an image that can be read"):  # only its start
        decode_upload(data[:12] + bytes(30))


def test_an_iphone_photo_is_named_though_pillow_cannot_read_it():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(40)
    with pytest.raises(UploadError, match="This is a HEIC photo: upload a PNG or JPEG."):
        decode_upload(heic)


def test_at_most_two_pictures_are_decoded_at_once(monkeypatch):
    """With both slots taken by decodes in progress, a third upload is told to come back."""
    monkeypatch.setattr(upload, "WAIT_SECONDS", 0.2)
    data = _save(Image.new("L", (32, 32), 255))
    assert upload._slots.acquire(timeout=5) and upload._slots.acquire(timeout=5)
    try:
        with pytest.raises(UploadError, match="try again in a moment"):
            decode_upload(data)
    finally:
        upload._slots.release()
    assert decode_upload(data).size == (32, 32)  # one slot free again
    upload._slots.release()
    read = []
    threads = [threading.Thread(target=lambda: read.append(decode_upload(data).size))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert read == [(32, 32)] * 6  # all served, two at a time


# ---- phone photos -------------------------------------------------------------------------------

def photo_of(digit: np.ndarray, size: tuple[int, int] = (1200, 1600)) -> Image.Image:
    """An upright colour photo of a digit written dark on light grey paper, with sensor noise."""
    width, height = size
    side = width // 2
    ink = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR),
                     dtype=np.float64) / 255
    paper = np.full((height, width), 205.0)
    top, left = (height - side) // 2, (width - side) // 2
    paper[top:top + side, left:left + side] -= ink * 165
    noise = np.random.default_rng(int(digit.sum())).normal(0, 4, (height, width))
    gray = np.clip(paper + noise, 0, 255)
    rgb = np.stack([gray * 1.0, gray * 0.97, gray * 0.92], axis=-1)  # warm indoor light
    return Image.fromarray(rgb.astype(np.uint8))


def stored_sideways(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera stores for an upright view with this EXIF orientation."""
    undo = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270}
    return upright.transpose(undo[orientation]) if orientation in undo else upright


def phone_file(upright: Image.Image, orientation: int, format: str = "MPO",
               second: Image.Image | None = None) -> bytes:
    exif = Image.Exif()
    exif[upload.EXIF_ORIENTATION] = orientation
    extra = {"save_all": True, "append_images": [second]} if second is not None else {}
    return _save(stored_sideways(upright, orientation), format, quality=88, exif=exif.tobytes(),
                 **extra)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


def first_of(label: int) -> np.ndarray:
    sample = load_sample()
    return sample.x_test[np.flatnonzero(sample.y_test == label)[0]]


def test_pillow_writes_mpo_with_exif():
    """The test photos below are real MPO files: two JPEG pictures and an MP index."""
    data = phone_file(photo_of(first_of(7)), 6, second=photo_of(first_of(1)))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "MPO" and image.n_frames == 2
        assert image.getexif()[upload.EXIF_ORIENTATION] == 6


def test_a_sideways_mpo_phone_photo_is_read_upright_from_its_first_picture():
    seven, one = first_of(7), first_of(1)
    data = phone_file(photo_of(seven), 6, second=photo_of(one))
    picture = decode_upload(data)
    assert picture.format == "MPO" and picture.frames == 2 and picture.turned
    assert picture.size == (1200, 1600)  # portrait, as the photo was taken
    assert picture.inverted  # dark ink on light paper
    digit = mnist_steps(picture.ink).digit
    upright = similarity(digit, seven)
    assert upright > 0.8, upright
    for turn in (np.rot90(seven, 1), np.rot90(seven, -1), np.rot90(seven, 2), one):
        assert similarity(digit, turn) < upright - 0.2


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_turned_upright(orientation):
    four = first_of(4)
    picture = decode_upload(phone_file(photo_of(four, (600, 800)), orientation, "JPEG"))
    assert picture.size == (600, 800) and picture.turned == (orientation != 1)
    assert similarity(mnist_steps(picture.ink).digit, four) > 0.8


def test_a_broken_exif_block_leaves_the_picture_as_stored():
    stored = _save(photo_of(first_of(4), (600, 800)), "JPEG", exif=b"Exif\x00\x00II*\x00junk")
    picture = decode_upload(stored)
    assert picture.size == (600, 800) and not picture.turned


@pytest.mark.slow
def test_the_network_reads_sideways_phone_photos_as_the_right_digits():
    """The walk-through's network, trained on the sample, reads MPO photos turned by EXIF."""
    from draw_support import trained_on_sample

    from explainer.concepts.models.reading import Reader

    network = Reader.of(trained_on_sample())
    sample = load_sample()
    picked = []
    for label in range(10):  # the first test digit of each class it reads surely as it is
        for index in np.flatnonzero(sample.y_test == label):
            reading = network.read(sample.x_test[index])
            if reading.digit == label and reading.confidence > 0.95:
                picked.append((label, sample.x_test[index]))
                break
    assert len(picked) == 10
    for orientation, (label, digit) in zip((6, 8, 3, 6, 8, 3, 6, 8, 3, 6), picked):
        other = photo_of(picked[(label + 1) % 10][1])
        picture = decode_upload(phone_file(photo_of(digit), orientation, second=other))
        steps = mnist_steps(picture.ink)
        assert network.read(steps.digit, steps).digit == label, (label, orientation)


@pytest.mark.slow
def test_the_draw_page_reads_a_sideways_phone_photo_and_says_what_it_did(tmp_path, monkeypatch):
    from draw_support import sample_mnist_env, seed_default_cache
    from helpers import open_page

    from explainer.training import default_model

    sample_mnist_env(monkeypatch, tmp_path)
    seed_default_cache(tmp_path)
    assert default_model.walk_through().wait(120).ready
    try:
        at = open_page("pages/draw.py")
        at.segmented_control(key="draw_source").set_value("Upload a picture").run()
        photo = phone_file(photo_of(first_of(7)), 6, second=photo_of(first_of(1)))
        at.file_uploader(key="draw_upload").set_value(("IMG_0042.JPG", photo, "image/jpeg"))
        at.run()
        assert not at.exception and not at.error
        notes = " ".join(c.value for c in at.caption)
        assert "MPO, 1200 x 1600 pixels." in notes and "2 pictures in one file" in notes
        assert "Turned upright" in notes
        assert [m.value for m in at.metric if m.label == "The network reads"] == ["7"]
        big = _save(Image.new("RGBA", (4096, 4096), (255, 255, 255, 255)))
        at.file_uploader(key="draw_upload").set_value(("big.png", big, "image/png"))
        at.run()
        assert not at.exception
        assert "such as 2048 x 2048: save it smaller, or as a JPEG." in at.error[0].value
    finally:
        default_model.reset()


def _save(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()
