"""The reader's walk through the app: sections in order, each stop one page and one sentence.

``app.py`` builds the navigation from this list and the Home page draws it as a map, so the two
can never disagree. A stop whose page file does not exist yet is left out of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Stop:
    section: str
    title: str
    page: str  # path relative to the repo root, e.g. "pages/neurons.py"
    icon: str
    summary: str

    @property
    def exists(self) -> bool:
        return (ROOT / self.page).is_file()


SECTIONS = ("Start", "Building blocks", "Learning", "MNIST", "Review")

STOPS = (
    Stop("Start", "Home", "pages/home.py", ":material/home:",
         "What this app is and the map of the journey."),
    Stop("Building blocks", "Neurons and layers", "pages/neurons.py", ":material/hub:",
         "A cell adds up its weighted inputs, adds a bias, and passes the sum through an "
         "activation."),
    Stop("Building blocks", "Why nonlinearity", "pages/nonlinearity.py", ":material/show_chart:",
         "A line cannot bend; chained ReLUs can follow any curve."),
    Stop("Building blocks", "Recognizing patterns", "pages/patterns.py", ":material/grid_on:",
         "Multiply a digit by a template and add up: a vertical-line detector."),
    Stop("Learning", "Output and loss", "pages/output_loss.py", ":material/bar_chart:",
         "Softmax turns 10 scores into probabilities; the loss says how wrong they are."),
    Stop("Learning", "Nudging a weight", "pages/nudging.py", ":material/tune:",
         "Move one weight up and down, watch the cost, and follow the slope downhill."),
    Stop("Learning", "Backpropagation", "pages/backprop.py", ":material/undo:",
         "Walk backward through the layers and get every weight's slope in one pass."),
    Stop("Learning", "Optimizers", "pages/optimizers.py", ":material/speed:",
         "Smarter steps downhill: momentum, RMSprop and Adam race on one cost."),
    Stop("MNIST", "Train on MNIST", "pages/train_mnist.py", ":material/model_training:",
         "Train the 784-512-10 network on 60,000 digits and watch it learn."),
    Stop("MNIST", "Draw a digit", "pages/draw.py", ":material/draw:",
         "Draw a digit and watch the trained network read your handwriting."),
    Stop("Review", "Glossary", "pages/glossary.py", ":material/menu_book:",
         "Every word of the journey in two lines, each linked to the page where you tried it."),
)


def stops(section: str | None = None, only_existing: bool = True) -> list[Stop]:
    """The stops in reading order, optionally of one section, by default only built pages."""
    return [s for s in STOPS
            if (section is None or s.section == section) and (s.exists or not only_existing)]


def find(page: str) -> Stop | None:
    """The stop for a page path, or None."""
    return next((s for s in STOPS if s.page == page), None)


def neighbours(page: str) -> tuple[Stop | None, Stop | None]:
    """The stops before and after a page along the journey (None at either end)."""
    path = stops()
    index = next((i for i, stop in enumerate(path) if stop.page == page), None)
    if index is None:
        return None, None
    return (path[index - 1] if index > 0 else None,
            path[index + 1] if index + 1 < len(path) else None)
