"""The Learning pages' figures, by page: output.py, descent.py, optimizers.py, network_diagram.py.

Kept so that older imports (``from explainer.charts import learning``) still find every builder.
"""

from explainer.charts.descent import (  # noqa: F401
    cost_curve,
    descent_figure,
    nudge_error_figure,
    nudge_figure,
    rate_figure,
    timing_figure,
)
from explainer.charts.network_diagram import (  # noqa: F401
    BACKWARD_STAGES,
    loss_history_figure,
    network_diagram,
)
from explainer.charts.numbers import seconds, short  # noqa: F401
from explainer.charts.optimizers import contour_paths, cost_per_step  # noqa: F401
from explainer.charts.output import (  # noqa: F401
    batch_cost_chart,
    digit_image,
    loss_curves,
    scores_and_probabilities,
    squared_error_bars,
)
