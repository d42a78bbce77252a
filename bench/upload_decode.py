"""What the largest upload the drawing page accepts costs the server: time, memory, cached size.

    python bench/upload_decode.py [--side 4096] [--repeats 5]

The upload is a side x side PNG of a dark stroke on white paper: a few tens of KB on disk, since
it compresses well, but side x side pixels once decoded. Printed: the median time of
preprocess.decode_upload, the peak memory it allocates through numpy and Pillow (tracemalloc sees
both), and the size of the ink it returns, which the page keeps in st.cache_data (4 entries).
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explainer.concepts import preprocess  # noqa: E402


def big_upload(side: int) -> bytes:
    image = Image.new("L", (side, side), 255)
    ImageDraw.Draw(image).line([(side // 2, side // 8), (side // 2, side * 7 // 8)], fill=0,
                               width=max(2, side // 14))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=preprocess.MAX_UPLOAD_SIDE)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    data = big_upload(args.side)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        upload = preprocess.decode_upload(data)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    preprocess.decode_upload(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, Pillow {Image.__version__}")
    print(f"upload: {args.side} x {args.side} PNG, {len(data) / 1024:.0f} KB")
    print(f"decode_upload: median {statistics.median(times) * 1000:.0f} ms over {args.repeats}")
    print(f"peak memory while decoding: {peak / 2**20:.0f} MB")
    print(f"ink kept: {upload.ink.shape[1]} x {upload.ink.shape[0]} float64, "
          f"{upload.ink.nbytes / 2**20:.1f} MB (x 4 cache entries at most)")


if __name__ == "__main__":
    main()
