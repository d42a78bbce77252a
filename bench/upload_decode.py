"""What one upload can cost the server: its peak memory (RSS) and its time, for crafted files.

    python bench/upload_decode.py [--only NAME] [--keep FOLDER]

Each file is small on disk but claims a big picture (4096 x 4096 in every PNG mode, JPEG and MPO
photos, a PNG cut into thousands of chunks, a PNG stuffed with compressed text). Each is decoded
by preprocess.decode_upload in a fresh Python process that has already decoded a small PNG and
JPEG (as a running server has): its peak resident memory is reset just before (Linux
/proc/self/clear_refs), read from VmHWM just after, and the time taken is that one call's CPU time
(its wall time too, which grows on a busy machine). Printed: one line per file (accepted or
refused, and why), then the worst cases. RSS sees Pillow's own buffers, which tracemalloc does
not. The budget (issue 16): under 64 MB and 0.5 s.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB, BUDGET_S = 64, 0.5
SIDE = 4096


# -- crafted files ------------------------------------------------------------------------------

def _save(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def _one(mode: str, size: tuple[int, int], paper, ink) -> Image.Image:
    """A dark 1 on light paper, drawn over the whole picture, in the given Pillow mode."""
    width, height = size
    image = Image.new(mode, size, paper)
    ImageDraw.Draw(image).line([(width // 2, height // 8), (width // 2 - width // 40,
                                                           height * 7 // 8)],
                               fill=ink, width=max(2, width // 14))
    return image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_in_pieces(side: int = 1024, piece: int = 1) -> bytes:
    """A plain 8-bit gray PNG whose image data is cut into IDAT chunks of ``piece`` bytes."""
    png = _save(_one("L", (side, side), 255, 0))
    start = png.index(b"IDAT") - 4
    data, position = b"", start
    while png[position + 4: position + 8] == b"IDAT":
        length = struct.unpack(">I", png[position: position + 4])[0]
        data += png[position + 8: position + 8 + length]
        position += 12 + length
    pieces = b"".join(_chunk(b"IDAT", data[i: i + piece]) for i in range(0, len(data), piece))
    return png[:start] + pieces + png[position:]


def png_interlaced(side: int = SIDE) -> bytes:
    """A white 8-bit gray PNG of side x side in Adam7 interlacing (seven passes), made by hand."""
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
              (0, 1, 1, 2))  # column start, row start, column step, row step
    rows = b""
    for x0, y0, dx, dy in passes:
        width, height = -(-(side - x0) // dx), -(-(side - y0) // dy)
        rows += (b"\0" + b"\xff" * width) * height
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b""))


def png_with_text(chunks: int = 64, each: int = 1 << 20) -> bytes:
    """A small PNG carrying ``chunks`` compressed text chunks of ``each`` bytes once inflated."""
    png = _save(_one("L", (256, 256), 255, 0))
    text = zlib.compress(b" " * each, 9)
    extra = b"".join(_chunk(b"zTXt", f"note{i}".encode() + b"\0\0" + text) for i in range(chunks))
    return png[:33] + extra + png[33:]  # after the signature and IHDR


def phone_photo(format: str = "MPO", size: tuple[int, int] = (3024, 4032)) -> bytes:
    """A phone-sized upright colour photo of a 1, stored on its side as a camera does, with
    EXIF orientation 6 (turn 90 degrees clockwise to view); as MPO, a second picture follows."""
    picture = _one("RGB", size, (236, 232, 224), (30, 30, 40)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    extra = {"save_all": True, "append_images": [picture.resize((640, 480))]} \
        if format == "MPO" else {}
    return _save(picture, format, quality=85, exif=exif.tobytes(), **extra)


def full_of_noise(format: str) -> bytes:
    """A file near the 5 MB cap that is all detail (random colours): the most data to decode."""
    size, options = ((4032, 3024), {"quality": 45}) if format == "JPEG" else ((1300, 1300), {})
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return _save(Image.fromarray(pixels), format, **options)


def one_scan_per_channel(mode: str, **options) -> bytes | None:
    """A baseline (not progressive) 4096 x 4096 JPEG whose scans hold one colour channel each,
    made with jpegtran's scan scripts (Debian's libjpeg-turbo-progs); None without jpegtran."""
    if shutil.which("jpegtran") is None:
        return None
    paper, ink = ((0, 0, 0, 0), (0, 0, 0, 255)) if mode == "CMYK" else ((255,) * 3, (0,) * 3)
    plain = _save(_one(mode, (SIDE, SIDE), paper, ink), "JPEG", quality=90, **options)
    channels = len(mode)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "scans.txt"
        script.write_text("".join(f"{c}: 0 63 0 0;\n" for c in range(channels)))
        (Path(folder) / "in.jpg").write_bytes(plain)
        subprocess.run(["jpegtran", "-scans", str(script), "-outfile", f"{folder}/out.jpg",
                        f"{folder}/in.jpg"], check=True)
        return (Path(folder) / "out.jpg").read_bytes()


@functools.cache
def crafted_uploads() -> dict[str, bytes]:
    """name -> bytes: the uploads that cost most to decode, each at most 5 MB."""
    size = (SIDE, SIDE)
    return {
        "PNG 4096 x 4096 gray (L)": _save(_one("L", size, 255, 0)),
        "PNG 4096 x 4096 one bit (1)": _save(_one("1", size, 1, 0)),
        "PNG 4096 x 4096 palette with transparency (P)":
            _save(_one("L", size, 255, 0).convert("P"), transparency=128),
        "PNG 4096 x 4096 16-bit gray (I;16)": _save(_one("I;16", size, 60000, 8000)),
        "PNG 2896 x 2896 16-bit gray (I;16)": _save(_one("I;16", (2896, 2896), 60000, 8000)),
        "PNG 4096 x 4096 RGB": _save(_one("RGB", size, (255, 255, 255), (0, 0, 0))),
        "PNG 4096 x 4096 RGBA": _save(_one("RGBA", size, (255, 255, 255, 255), (0, 0, 0, 255))),
        "PNG 2048 x 2048 RGBA": _save(_one("RGBA", (2048, 2048), (255, 255, 255, 0),
                                           (0, 0, 0, 255))),
        "PNG 4096 x 4096 gray with alpha (LA)": _save(_one("LA", size, (255, 255), (0, 255))),
        "PNG 4096 x 4096 gray interlaced (Adam7)": png_interlaced(),
        "PNG in 1-byte IDAT chunks": png_in_pieces(),
        "PNG with 64 MB of compressed text": png_with_text(),
        "JPEG 4096 x 4096 colour": _save(_one("RGB", size, (255, 255, 255), (0, 0, 0)), "JPEG",
                                         quality=90),
        "JPEG 4096 x 4096 progressive": _save(_one("RGB", size, (255, 255, 255), (0, 0, 0)),
                                              "JPEG", quality=90, progressive=True),
        "JPEG 4096 x 4096 progressive, full colour (4:4:4)":
            _save(_one("RGB", size, (255, 255, 255), (0, 0, 0)), "JPEG", quality=90,
                  progressive=True, subsampling=0),
        "JPEG 4096 x 4096 progressive CMYK":
            _save(_one("CMYK", size, (0, 0, 0, 0), (0, 0, 0, 255)), "JPEG", progressive=True),
        "JPEG 4096 x 4096 CMYK": _save(_one("CMYK", size, (0, 0, 0, 0), (0, 0, 0, 255)), "JPEG"),
        "JPEG 4032 x 3024 of noise, near 5 MB": full_of_noise("JPEG"),
        "PNG 1300 x 1300 RGB of noise, near 5 MB": full_of_noise("PNG"),
        "MPO phone photo 3024 x 4032, stored on its side": phone_photo("MPO"),
        **{name: data for name, data in (
            ("JPEG 4096 x 4096 CMYK, baseline, a scan per channel", one_scan_per_channel("CMYK")),
            ("JPEG 4096 x 4096 full colour (4:4:4), baseline, a scan per channel",
             one_scan_per_channel("RGB", subsampling=0))) if data is not None},
    }


# -- measuring --------------------------------------------------------------------------------

CHILD = r"""
import io, json, sys, time
from PIL import Image
from explainer.concepts.inputs import preprocess

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024

for format in ("PNG", "JPEG"):  # warm up: Pillow's plugins and numpy's functions, once
    buffer = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buffer, format=format)
    preprocess.decode_upload(buffer.getvalue())
data = open(sys.argv[1], "rb").read()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # peak RSS := current RSS
before = status("VmRSS")
start, cpu = time.perf_counter(), time.process_time()
try:
    upload = preprocess.decode_upload(data)
    outcome = f"read: {upload.format} {upload.size[0]} x {upload.size[1]}, " \
              f"ink {upload.ink.shape[1]} x {upload.ink.shape[0]}"
except preprocess.UploadError as refused:
    outcome = f"refused: {refused}"
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"peak_mb": status("VmHWM") - before, "seconds": seconds, "cpu_seconds": cpu,
                  "outcome": outcome}))
"""


@dataclass(frozen=True)
class Cost:
    peak_mb: float  # how far the process's peak RSS rose during the call
    seconds: float  # wall time of the call
    cpu_seconds: float  # CPU time of the call: the same on a busy machine, where wall time grows
    outcome: str

    @property
    def within_budget(self) -> bool:
        return self.peak_mb < BUDGET_MB and self.cpu_seconds < BUDGET_S


def measure(data: bytes) -> Cost:
    """Decode ``data`` in a fresh process; its peak RSS rise and wall time for that one call."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as file:
        file.write(data)
        file.flush()
        done = subprocess.run([sys.executable, "-c", CHILD, file.name], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the decoding process failed: {done.stderr.strip()[-2000:]}")
    return Cost(**json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="measure the files whose name contains this")
    parser.add_argument("--keep", type=Path, help="also save the crafted files in this folder")
    args = parser.parse_args()

    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {load}, Python "
          f"{platform.python_version()}, Pillow {Image.__version__}; budget per upload: "
          f"< {BUDGET_MB} MB peak RSS, < {BUDGET_S} s of CPU")
    costs = {}
    for name, data in crafted_uploads().items():
        if args.only and args.only not in name:
            continue
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / (name.replace(" ", "_").replace("/", "-") + ".bin")).write_bytes(data)
        cost = costs[name] = measure(data)
        mark = "ok  " if cost.within_budget else "OVER"
        print(f"{mark} {name}: {len(data) / 1024:,.0f} KB -> +{cost.peak_mb:.1f} MB, "
              f"{cost.cpu_seconds * 1000:.0f} ms CPU ({cost.seconds * 1000:.0f} ms wall); "
              f"{cost.outcome}", flush=True)
    if costs:
        memory = max(costs, key=lambda n: costs[n].peak_mb)
        time = max(costs, key=lambda n: costs[n].cpu_seconds)
        wall = max(costs, key=lambda n: costs[n].seconds)
        print(f"worst_peak_mb={costs[memory].peak_mb:.1f} ({memory})")
        print(f"worst_cpu_seconds={costs[time].cpu_seconds:.3f} ({time})")
        print(f"worst_wall_seconds={costs[wall].seconds:.3f} ({wall})")
        print(f"within_budget={sum(c.within_budget for c in costs.values())}/{len(costs)}")


if __name__ == "__main__":
    main()
