"""The network's math: activations, dense layers, softmax and loss, the backward pass,
optimizers, and what a network costs to count and to run."""
