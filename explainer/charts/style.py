"""One visual language for every chart: what each colour means, the same on every page.

The convention, told to the reader once where it matters:

- sign: **blue is positive, orange is negative**, for weights, gradients, pushes and template
  values alike; line width or colour strength says how big (as in TensorFlow Playground);
- roles: grey is the data (dots, targets, inputs), green is what the model learned or answers,
  purple is the value you are changing; right and wrong carry a mark as well as a colour
  (✓ and ✗), never colour alone;
- categories (optimizers, losses, runs): colours that are neither blue nor orange, so a line is
  never read as a sign; each also has its name in the legend or the panel's title;
- digits look like ink on paper: 0 is white paper, 255 is black ink, in both themes.

Colours come from the Okabe-Ito and Paul Tol palettes, chosen to stay apart for colour-blind
readers. Charts never paint their own background: they take the theme's (light or dark) through
Streamlit. Every figure must read at 360 pixels wide (a phone) as well as on a laptop: legends sit
below the plot and long titles wrap (see ``tidy``).
"""

from __future__ import annotations

import plotly.graph_objects as go

# Sign: one diverging pair, everywhere.
POSITIVE = "#0072B2"  # blue
NEGATIVE = "#D55E00"  # orange (vermillion)

# Roles.
DATA = "#999999"  # grey: what the data says (dots, target curves, input values)
MODEL = "#009E73"  # bluish green: what the model learned, computed or answers
CHANGING = "#AA3377"  # purple (Paul Tol's): the value you are changing right now
RIGHT = "#56B4E9"  # sky blue, always with RIGHT_MARK
WRONG = "#E69F00"  # amber, always with WRONG_MARK
RIGHT_MARK = "✓"
WRONG_MARK = "✗"

# Several things of one kind (optimizers, losses, runs): distinct, in this order, and neither
# blue nor orange, so no line reads as a sign.
CATEGORIES = ("#117733", "#CC79A7", "#999933", "#882255")  # green, pink, olive, wine
SERIES = CATEGORIES  # the older name

# Neutral strokes that read on both a white and a dark background.
GRID = "rgba(128, 128, 128, 0.25)"
FAINT = "rgba(128, 128, 128, 0.5)"
TRANSPARENT = "rgba(0, 0, 0, 0)"

# Digits: 0 = white paper, 255 = black ink (the walk-through's way), whatever the theme.
PAPER = "#FFFFFF"
INK = "#000000"
INK_SCALE = [[0.0, PAPER], [1.0, INK]]

# Signed values on a grid (templates, weights as pictures): orange - neutral - blue.
NEUTRAL = "rgba(128, 128, 128, 0.12)"
SIGNED_SCALE = [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, POSITIVE]]

HOUSE_MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}  # pixels around the plot

PALETTE = frozenset({POSITIVE, NEGATIVE, DATA, MODEL, CHANGING, RIGHT, WRONG, GRID, FAINT,
                     TRANSPARENT, PAPER, INK, NEUTRAL, "#000000", *CATEGORIES})
SIGNS = frozenset({POSITIVE, NEGATIVE})  # what a category colour must never be
TITLE_CHARACTERS = 46  # a title wraps after about this many characters: it fits 360 pixels


def sign_colour(value: float) -> str:
    """Blue for a positive value, orange for a negative one (zero counts as positive)."""
    return POSITIVE if value >= 0 else NEGATIVE


def verdict(correct: bool) -> tuple[str, str]:
    """The colour and the mark for a right or a wrong answer: never colour alone."""
    return (RIGHT, RIGHT_MARK) if correct else (WRONG, WRONG_MARK)


def with_alpha(colour: str, alpha: float) -> str:
    """A palette colour "#RRGGBB" made see-through, as "rgba(r, g, b, alpha)"."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def category_colour(index: int) -> str:
    """The index-th category's colour (optimizers, losses, runs), repeating after four."""
    return CATEGORIES[index % len(CATEGORIES)]


def wrap(text: str, width: int = TITLE_CHARACTERS) -> str:
    """Break a chart title into lines of at most ``width`` characters, at spaces ("<br>")."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def tidy(fig: go.Figure, height: int, **layout) -> go.Figure:
    """The house layout: the theme's background and text, faint grid, the legend below the plot.

    Nothing here sets a font colour or a background: Streamlit's theme (light or dark) supplies
    them, so every chart stays readable in both. ``layout`` is applied last, as
    ``fig.update_layout`` would (a ``margin`` given there replaces the house margin's sides).
    Properties are set one by one: plotly's ``update_layout`` parses every key it is given, which
    made this function cost about twice as much on every rerun of every page.

    A plain-text ``title`` is wrapped to fit a phone (the top margin grows with its lines) and
    set at 14 points; the legend sits at the bottom of the figure, below the axis titles, where
    it wraps instead of running into the title.
    """
    title = layout.pop("title", None)
    if isinstance(title, str):
        text = wrap(title)
        lines = text.count("<br>") + 1
        top = max(layout.get("margin", {}).get("t", HOUSE_MARGIN["t"]), 14 + 20 * lines)
        layout["margin"] = {**layout.get("margin", {}), "t": top}
        title = dict(text=text, font=dict(size=14), x=0, xanchor="left", xref="paper")
    if title is not None:
        layout["title"] = title
    page = fig.layout
    page.height = height
    margin = page.margin
    for side, value in {**HOUSE_MARGIN, **layout.pop("margin", {})}.items():
        margin[side] = value
    page.paper_bgcolor = TRANSPARENT
    page.plot_bgcolor = TRANSPARENT
    legend = page.legend
    legend.orientation, legend.yref, legend.yanchor, legend.y, legend.x = (
        "h", "container", "bottom", 0, 0)
    page.hoverlabel.namelength = -1
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        axis.gridcolor = GRID
        axis.zerolinecolor = FAINT
    if layout:
        fig.update_layout(**layout)
    return fig


def digit_heatmap(pixels, *, title: str | None = None, hover: str = "pixel value",
                  zmax: float = 255.0, gaps: bool = False) -> go.Heatmap:
    """A 28 x 28 digit drawn as ink on paper: 0 white, ``zmax`` black, the value on hover."""
    return go.Heatmap(z=pixels, colorscale=INK_SCALE, zmin=0, zmax=zmax, showscale=False,
                      xgap=1 if gaps else 0, ygap=1 if gaps else 0, name=title or "",
                      hovertemplate=f"row %{{y}}, column %{{x}}<br>{hover} %{{z}}<extra></extra>")


def signed_heatmap(values, *, limit: float | None = None, hover: str = "value") -> go.Heatmap:
    """A grid of signed values: blue positive, orange negative, faint near zero."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    bound = limit if limit is not None else float(np.max(np.abs(values))) or 1.0
    return go.Heatmap(z=values, colorscale=SIGNED_SCALE, zmin=-bound, zmax=bound,
                      zmid=0, showscale=False,
                      hovertemplate=f"row %{{y}}, column %{{x}}<br>{hover} %{{z:.3g}}"
                                    "<extra></extra>")


def square_grid(fig: go.Figure) -> go.Figure:
    """Image-like axes: row 0 on top, square cells, no ticks."""
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False,
                     showgrid=False, zeroline=False)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    return fig


SIGN_LEGEND = "Blue is positive, orange is negative; thicker or stronger means bigger."
ROLE_LEGEND = ("Grey is the data, green is what the model learned, purple is the value you are "
               "changing.")
DIGIT_LEGEND = "Digits are drawn as ink on paper: 0 is white paper, 255 is black ink."
