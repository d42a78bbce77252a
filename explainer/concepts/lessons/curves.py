"""Curves: why a network needs a nonlinearity, told with one input x and one output y.

A straight line y = w x + b can be learned, but stacked lines stay a line
(explainer.concepts.lessons.lines); a sum of ReLU units bends at every unit's hinge and
follows any curve (explainer.concepts.lessons.relu_chain). The Nonlinearity page and its
charts read both here.
"""

from explainer.concepts.lessons.lines import (  # noqa: F401
    DOMAIN,
    TARGET_FORMULAS,
    TARGETS,
    apply_stack,
    compose_linear,
    fit_line,
    line_descent,
    line_equation,
    line_points,
    mse,
    target_curve,
)
from explainer.concepts.lessons.relu_chain import (  # noqa: F401
    CHAIN_LIMITS,
    MAX_UNITS,
    ChainFit,
    ReluChain,
    add_unit,
    chain_gradients,
    errors_by_units,
    fit_relu_chain,
    refine,
)
