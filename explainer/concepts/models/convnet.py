"""The small CNN in numpy: slide 3 x 3 filters over the digit, keep the strongest, then vote.

A convolution layer looks at every 3 x 3 patch of its input and scores it with each of its
filters (a weighted sum, like a Dense cell, but over one small patch and repeated everywhere).
Max pooling keeps the strongest score of each 2 x 2 block, halving the picture. Two such stages
turn the 28 x 28 digit into 5 x 5 maps of 64 features; these are flattened into 1,600 numbers and
read by ordinary Dense layers, as in the MLP. Dropout does nothing when the network reads.

The gradient of log P(digit) with respect to the pixels goes back through the same steps: a Dense
layer sends it back through its weights, ReLU lets it through where the cell was on, max pooling
gives it to the cell that won its block, and a convolution spreads it back over the patch each
score read ("a full convolution with the filter turned half a turn").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from explainer.concepts.nn.activations import relu, softmax

SIDE = 28
CHUNK = 128  # digits per batch in probabilities(): bounds the memory of the patch copies


def _patches(x: np.ndarray, k: int) -> np.ndarray:
    """Every k x k patch of (N, H, W, C) as a row: (N * H' * W', k * k * C), in (i, j, c) order."""
    n, h, w, c = x.shape
    windows = sliding_window_view(x, (k, k), axis=(1, 2))  # (N, H', W', C, k, k), no copy yet
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * (h - k + 1) * (w - k + 1), k * k * c)


def convolve(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Valid 2-D convolution, channels last: (N, H, W, C) with (k, k, C, F) -> (N, H-k+1, W-k+1, F).

    Each patch's k * k * C values times the filter's weights, plus its bias: one matrix product
    for all patches and filters. Keras' Conv2D is a cross-correlation: the filter is not flipped.
    """
    n, h, w, _ = x.shape
    k, filters = kernel.shape[0], kernel.shape[3]
    sums = _patches(x, k) @ kernel.reshape(-1, filters) + bias
    return sums.reshape(n, h - k + 1, w - k + 1, filters)


def convolve_back(upstream: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The gradient a valid convolution sends to its input: (N, H', W', F) -> (N, H, W, C).

    Each input cell was read by every filter position that covered it, so it collects the
    upstream gradient of those positions times the weight it was read with: a "full" convolution
    of the upstream gradient with the filter turned half a turn.
    """
    k, _, channels, _ = kernel.shape
    n, h, w, _ = upstream.shape
    padded = np.pad(upstream, ((0, 0), (k - 1, k - 1), (k - 1, k - 1), (0, 0)))
    turned = kernel[::-1, ::-1].transpose(0, 1, 3, 2).reshape(-1, channels)  # (k * k * F, C)
    return (_patches(padded, k) @ turned).reshape(n, h + k - 1, w + k - 1, channels)


def _blocks(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) -> its 2 x 2 blocks, (N, H//2, 2, W//2, 2, C); an odd edge is dropped."""
    n, h, w, c = x.shape
    return x[:, :h // 2 * 2, :w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)


def max_pool(x: np.ndarray) -> np.ndarray:
    """2 x 2 max pooling, valid (an odd last row or column is dropped, as Keras does)."""
    return _blocks(x).max(axis=(2, 4))


def pool_winners(x: np.ndarray) -> np.ndarray:
    """Which cell of each 2 x 2 block max pooling kept (0-3, the first on a tie, as TensorFlow)."""
    n, ph, _, pw, _, c = (blocks := _blocks(x)).shape
    return blocks.transpose(0, 1, 3, 5, 2, 4).reshape(n, ph, pw, c, 4).argmax(axis=-1)


def max_pool_back(upstream: np.ndarray, winner: np.ndarray, shape: tuple) -> np.ndarray:
    """The gradient max pooling sends back: all of it to each block's winner, 0 elsewhere."""
    n, h, w, c = shape
    ph, pw = h // 2, w // 2
    blocks = (winner[..., None] == np.arange(4)) * upstream[..., None]  # (N, ph, pw, C, 4)
    blocks = blocks.reshape(n, ph, pw, c, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    grad = np.zeros(shape)
    grad[:, :ph * 2, :pw * 2] = blocks.reshape(n, ph * 2, pw * 2, c)
    return grad


@dataclass(frozen=True)
class ConvStage:
    """One Conv2D (ReLU) followed by a 2 x 2 max pooling."""

    kernel: np.ndarray  # (3, 3, channels in, filters)
    bias: np.ndarray  # (filters,)

    def __repr__(self) -> str:
        k, _, c, f = self.kernel.shape
        return f"ConvStage({c} -> {f}, {k}x{k})"


@dataclass(frozen=True)
class ConvNet:
    """Conv stages, then hidden Dense ReLU layers, then a Dense softmax output of 10 cells.

    Inputs are 0-255 pixels (ink high) times ``input_scale``.
    """

    stages: tuple[ConvStage, ...]
    dense: tuple[tuple[np.ndarray, np.ndarray], ...]  # (weights, bias); the last one is the output
    input_scale: float

    def __repr__(self) -> str:
        filters = "-".join(str(s.kernel.shape[3]) for s in self.stages)
        cells = "-".join(str(w.shape[1]) for w, _ in self.dense)
        return f"ConvNet(conv {filters}, dense {self.dense[0][0].shape[0]}-{cells})"

    @classmethod
    def from_weights(cls, weights: list[np.ndarray], input_scale: float) -> ConvNet:
        """From Keras' ``model.get_weights()`` of the small CNN, checked shape by shape.

        Expected: two (kernel, bias) pairs of Conv2D layers, then (weights, bias) pairs of Dense
        layers, the last with 10 cells. Anything else raises a ValueError that says what is wrong.
        """
        arrays = [np.asarray(w, dtype=np.float64) for w in weights]
        if len(arrays) < 6 or len(arrays) % 2:
            raise ValueError(f"The small CNN has 2 convolution layers and 1-2 Dense layers, each a "
                             f"(weights, bias) pair: 6 or 8 arrays, got {len(arrays)}.")
        stages, channels, side = [], 1, SIDE
        for index in (0, 2):
            kernel, bias = arrays[index], arrays[index + 1]
            if (kernel.ndim != 4 or kernel.shape[0] != kernel.shape[1]
                    or kernel.shape[2] != channels or bias.shape != (kernel.shape[3],)):
                raise ValueError(f"Convolution layer {index // 2 + 1}: expected a kernel "
                                 f"(k, k, {channels}, filters) and a bias (filters,), got "
                                 f"{kernel.shape} and {bias.shape}.")
            stages.append(ConvStage(kernel, bias))
            channels, side = kernel.shape[3], (side - kernel.shape[0] + 1) // 2
        inputs, dense = side * side * channels, []
        for index in range(4, len(arrays), 2):
            matrix, bias = arrays[index], arrays[index + 1]
            if matrix.ndim != 2 or matrix.shape[0] != inputs or bias.shape != (matrix.shape[1],):
                raise ValueError(f"Dense layer {(index - 2) // 2}: expected weights ({inputs}, "
                                 f"cells) and a bias (cells,), got {matrix.shape} and "
                                 f"{bias.shape}.")
            dense.append((matrix, bias))
            inputs = matrix.shape[1]
        if inputs != 10:
            raise ValueError(f"The last Dense layer must have 10 cells (one per digit), "
                             f"got {inputs}.")
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("The weights contain NaN or infinite values.")
        return cls(tuple(stages), tuple(dense), float(input_scale))

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Inputs (N, 28, 28, 1), already scaled -> the 10 output scores before softmax."""
        for stage in self.stages:
            x = max_pool(relu(convolve(x, stage.kernel, stage.bias)))
        x = x.reshape(len(x), -1)  # channels last, row by row: Keras' Flatten order
        for weights, bias in self.dense[:-1]:
            x = relu(x @ weights + bias)
        weights, bias = self.dense[-1]
        return x @ weights + bias

    def probabilities(self, digits: np.ndarray) -> np.ndarray:
        """Digits (N, 28, 28) or one (28, 28), 0-255 with ink high -> probabilities (N, 10)."""
        digits = np.asarray(digits, dtype=np.float64).reshape(-1, SIDE, SIDE, 1)
        x = digits * self.input_scale
        return np.concatenate([softmax(self.scores(x[start:start + CHUNK]))
                               for start in range(0, len(x), CHUNK)] or [np.zeros((0, 10))])

    def gradient(self, pixels: np.ndarray, digit: int) -> tuple[float, np.ndarray]:
        """log P(digit) for one image of pixels in 0-1 (784 or 28 x 28), and its gradient.

        The same contract as :func:`explainer.concepts.models.dream.mlp_gradient`: the gradient has
        784 entries, one per pixel, with respect to the 0-1 pixels.
        """
        scale = 255.0 * self.input_scale
        x = np.asarray(pixels, dtype=np.float64).reshape(1, SIDE, SIDE, 1) * scale
        stage_memory = []  # per stage: the sums before ReLU, and which cell won each block
        for stage in self.stages:
            z = convolve(x, stage.kernel, stage.bias)
            stage_memory.append((z, pool_winners(relu(z))))
            x = max_pool(relu(z))
        pooled_shape = x.shape
        values = [x.reshape(1, -1)]
        for weights, bias in self.dense[:-1]:
            values.append(relu(values[-1] @ weights + bias))
        weights, bias = self.dense[-1]
        probabilities = softmax(values[-1] @ weights + bias)[0]
        objective = float(np.log(max(probabilities[digit], 1e-300)))

        upstream = -probabilities  # d log softmax(scores)[digit] / d scores = onehot - p
        upstream[digit] += 1.0
        upstream = upstream[None, :] @ weights.T
        for (weights, _), a in zip(reversed(self.dense[:-1]), reversed(values[1:])):
            upstream = (upstream * (a > 0)) @ weights.T
        upstream = upstream.reshape(pooled_shape)
        for stage, (z, winner) in zip(reversed(self.stages), reversed(stage_memory)):
            upstream = max_pool_back(upstream, winner, z.shape) * (z > 0)
            upstream = convolve_back(upstream, stage.kernel)
        return objective, upstream.reshape(SIDE * SIDE) * scale
