"""The math of one page's lesson each: one cell, lines and ReLU chains, nudging,
descent, templates, backprop on a tiny network."""
