"""Walk a plotly figure's JSON and list every colour it sets, to check them against the style."""

from __future__ import annotations

import json
import re

from explainer.charts import style

NAMED = {"white": "#FFFFFF", "black": "#000000"}
BACKGROUNDS = {"paper_bgcolor", "plot_bgcolor", "bgcolor"}
RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)")


def rgb(colour: str) -> tuple[int, int, int] | None:
    """(r, g, b) of a "#RRGGBB", "rgb(...)" or "rgba(...)" colour; None for anything else."""
    colour = NAMED.get(colour.strip().lower(), colour.strip())
    if re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    match = RGB.match(colour)
    return tuple(round(float(v)) for v in match.groups()) if match else None


ALLOWED = {rgb(c) for c in style.PALETTE}


def colours(node, path=""):
    """(path, colour) for every colour a figure's JSON sets, its template left out."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template":
                continue
            where = f"{path}.{key}"
            if key.endswith("color") or key == "colorscale":
                yield from _colour_values(value, where)
            else:
                yield from colours(value, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from colours(value, f"{path}[{i}]")


def _colour_values(value, where):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, list) and len(item) == 2:  # a colorscale stop [position, colour]
                yield from _colour_values(item[1], f"{where}[{i}]")
            else:
                yield from _colour_values(item, f"{where}[{i}]")


def problems(spec: str) -> list[str]:
    """What in a figure breaks the visual language: colours outside the palette, forced white."""
    found = []
    for where, colour in colours(json.loads(spec)):
        value = rgb(colour)
        if value is None or value not in ALLOWED:
            found.append(f"{where} = {colour!r} is not in the style's palette")
        elif where.split(".")[-1] in BACKGROUNDS and value == (255, 255, 255) \
                and "rgba" not in colour.replace(" ", "")[:5] and "annotations" not in where:
            found.append(f"{where} forces a white background")
    return found
