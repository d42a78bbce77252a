"""From a drawing to MNIST's 28 x 28: crop, fit 20 x 20, centre of mass at (14, 14); uploads."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from draw_support import on_canvas, png_bytes, strokes, trained_on_sample
from PIL import Image

from explainer.concepts.inputs import preprocess
from explainer.concepts.inputs.preprocess import (
    UploadError,
    centre_of_mass,
    mnist_steps,
    naive_shrink,
)
from explainer.data.mnist import load_sample

PLACEMENTS = {  # scale of the 280-pixel canvas, top, left
    "small in the top-left corner": (0.25, 4, 4),
    "small in the bottom-right corner": (0.2, 220, 222),
    "large, filling the canvas": (1.0, 0, 0),
    "off-centre to the right": (0.5, 30, 135),
}


def ink_extent(digit: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_any_placement_ends_centred_and_inside_the_20_box(placement):
    scale, top, left = PLACEMENTS[placement]
    sample = load_sample()
    for digit in sample.x_test[::50]:  # 20 digits, two of each class
        steps = mnist_steps(on_canvas(digit, scale, top, left))
        row, col = centre_of_mass(steps.digit.astype(float))
        assert abs(row - 14) <= 1 and abs(col - 14) <= 1, (placement, row, col)
        height, width = ink_extent(steps.digit)
        assert max(height, width) <= 20 and max(steps.fitted.shape) == 20
        assert steps.digit.shape == (28, 28) and steps.digit.dtype == np.uint8
        # nothing was cut off when the digit was placed in the grid
        assert steps.centred.sum() == pytest.approx(steps.fitted.sum())


def test_strokes_drawn_small_off_centre_keep_their_shape():
    tall_one = strokes([[(200, 30), (204, 120)]], width=12)  # a "1": tall and thin
    steps = mnist_steps(tall_one)
    assert steps.fitted.shape[0] == 20 and steps.fitted.shape[1] <= 5  # aspect ratio kept
    row, col = centre_of_mass(steps.digit.astype(float))
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1
    top, left, bottom, right = steps.box
    assert (top, bottom) == pytest.approx((24, 126), abs=2)  # the stroke's ends, round caps


def test_the_steps_are_the_documented_ones():
    seven = strokes([[(60, 50), (200, 50)], [(200, 50), (110, 230)]])
    steps = mnist_steps(seven)
    top, left, bottom, right = steps.box
    assert np.array_equal(steps.cropped, steps.grayscale[top:bottom, left:right])
    assert steps.grayscale.shape == (280, 280) and steps.grayscale.max() == pytest.approx(255)
    placed = steps.centred[steps.offset[0]:steps.offset[0] + steps.fitted.shape[0],
                           steps.offset[1]:steps.offset[1] + steps.fitted.shape[1]]
    assert np.array_equal(placed, steps.fitted)


def test_an_empty_drawing_gives_no_input():
    blank = np.full((280, 280, 4), 255, np.uint8)  # the canvas's white paper
    assert mnist_steps(blank) is None
    assert naive_shrink(blank) is None
    transparent = np.full((280, 280, 4), 255, np.uint8)
    transparent[..., 3] = 0  # fully transparent white is still empty paper
    assert mnist_steps(transparent) is None
    faint = blank.copy()
    faint[100:110, 100:110, :3] = 235  # below the ink level: paper texture, not ink
    assert mnist_steps(faint) is None


def test_grayscale_is_the_darkness_of_ink_on_white_paper():
    rgba = np.full((2, 3, 4), 255, np.uint8)  # white paper
    rgba[0, 0] = (0, 0, 0, 255)  # black ink: MNIST's 255
    rgba[0, 1] = (0, 0, 0, 128)  # half see-through black: half the ink
    rgba[1, 0] = (0, 255, 255, 255)  # a cyan pixel: only its missing red is dark
    rgba[1, 2] = (0, 0, 0, 0)  # fully transparent: paper
    gray = preprocess.to_grayscale(rgba)
    assert gray[0, 0] == pytest.approx(255)
    assert gray[0, 1] == pytest.approx(128)
    assert gray[1, 0] == pytest.approx(0.299 * 255)
    assert gray[1, 1] == 0 and gray[0, 2] == 0 and gray[1, 2] == 0
    ink = np.array([[0, 200], [255, 7]], np.uint8)  # a 2-D array is ink already
    assert np.array_equal(preprocess.to_grayscale(ink), ink)


def test_centre_of_mass_known_values():
    image = np.zeros((5, 5))
    image[1, 1] = 1
    image[3, 3] = 3
    assert centre_of_mass(image) == pytest.approx((2.5, 2.5))
    with pytest.raises(ValueError):
        centre_of_mass(np.zeros((3, 3)))


def test_just_shrinking_leaves_a_corner_digit_in_the_corner():
    digit = load_sample().x_test[0]
    shrunk = naive_shrink(on_canvas(digit, 0.25, 4, 4))
    row, col = centre_of_mass(shrunk.astype(float))
    assert row < 6 and col < 6
    assert ink_extent(shrunk)[0] <= 8


def test_upscaled_test_digits_are_read_almost_as_well_as_the_originals():
    """MNIST test digits drawn at 280 x 280 and prepared again: >= 95% of the test accuracy."""
    from explainer.concepts.models.reading import Reader

    network = Reader.of(trained_on_sample())
    sample = load_sample()
    digits = np.stack([mnist_steps(on_canvas(d)).digit for d in sample.x_test])
    accuracy = float((network.read_many(digits).argmax(axis=1) == sample.y_test).mean())
    reference = trained_on_sample().test_accuracy
    assert reference > 0.85
    assert accuracy >= 0.95 * reference, (accuracy, reference)


# ---- uploads -------------------------------------------------------------------------------

def dark_on_light_digit(size: int = 300) -> np.ndarray:
    seven = strokes([[(80, 60), (220, 60)], [(220, 60), (130, 250)]], size=size)
    return seven[..., 0]  # black ink on white paper, as the canvas draws it


def test_a_dark_on_light_png_is_inverted_and_prepared():
    upload = preprocess.decode_upload(png_bytes(dark_on_light_digit()))
    assert upload.inverted and upload.format == "PNG" and upload.size == (300, 300)
    assert upload.ink[5, 5] == 0 and upload.ink.max() == pytest.approx(255)
    steps = mnist_steps(upload.ink)
    row, col = centre_of_mass(steps.digit.astype(float))
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


def test_a_grey_photo_loses_its_paper():
    rng = np.random.default_rng(0)
    photo = np.clip(190 + rng.normal(0, 6, (300, 300)), 0, 255)
    ink = dark_on_light_digit() < 128
    photo[ink] = 70
    upload = preprocess.decode_upload(png_bytes(photo.astype(np.uint8), "JPEG"))
    assert upload.inverted and upload.format == "JPEG"
    assert (upload.ink[~ink] == 0).mean() > 0.97  # paper and its grain become 0
    assert upload.ink[ink].mean() > 200


def test_light_ink_on_dark_is_kept_and_transparency_is_paper():
    light = 255 - strokes([[(150, 40), (150, 250)]])[..., 0]  # white ink on black
    upload = preprocess.decode_upload(png_bytes(light))
    assert not upload.inverted and upload.ink[150, 150] > 200
    on_glass = np.zeros((100, 100, 4), np.uint8)  # black ink on a transparent background
    on_glass[20:80, 45:55] = (0, 0, 0, 255)
    upload = preprocess.decode_upload(png_bytes(on_glass))
    assert upload.inverted and upload.ink[50, 50] > 200 and upload.ink[5, 5] == 0


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a picture of width x height (the rows are not there)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"%PDF-1.4 this is not a picture", "not an image"),
    (b"\x00" * (5 * 2**20 + 1), "limit is 5 MB"),
    (png_claiming(5000, 300), "4096"),
    (png_claiming(30000, 30000), "decompression bomb"),
])
def test_bad_uploads_are_refused_with_a_reason(data, words):
    with pytest.raises(UploadError, match=words):
        preprocess.decode_upload(data)


def test_other_formats_and_damaged_files_are_refused():
    gif = png_bytes(Image.new("L", (20, 20), 255), "GIF")
    with pytest.raises(UploadError, match="GIF image: upload a PNG or JPEG"):
        preprocess.decode_upload(gif)
    whole = png_bytes(np.random.default_rng(1).integers(0, 255, (200, 200), dtype=np.uint8))
    with pytest.raises(UploadError, match="damaged"):
        preprocess.decode_upload(whole[: len(whole) // 2])


def test_a_blank_page_upload_has_no_ink():
    upload = preprocess.decode_upload(png_bytes(np.full((50, 50), 240, np.uint8)))
    assert upload.ink.max() == 0
    assert mnist_steps(upload.ink) is None
