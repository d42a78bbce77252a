"""The key terms of the walk, each with a two-line definition and the page where you can try it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    name: str
    definition: str
    page: str | None  # where to try it (a stop's page path), or None


TERMS = (
    Term("Weight", "A number on one connection between two cells. The incoming value is "
         "multiplied by it; learning means finding good weights.", "pages/neurons.py"),
    Term("Bias", "A number added to a cell's weighted sum. With bias -t the cell passes a positive "
         "value only once the sum exceeds t: a threshold.", "pages/neurons.py"),
    Term("Densely connected", "Every cell of one layer is connected to every cell of the next. "
         "784 inputs x 512 hidden cells = 401,408 weights.", "pages/neurons.py"),
    Term("Activation function", "A function applied to a cell's weighted sum plus bias, such as "
         "ReLU max(0, x) or the sigmoid. Without it, layers collapse into one line.",
         "pages/nonlinearity.py"),
    Term("Softmax", "Turns the 10 output scores into probabilities: positive numbers that add up "
         "to 1. The biggest score gets the biggest share.", "pages/output_loss.py"),
    Term("Forward propagation", "Computing the output from the input: layer by layer, weighted "
         "sums, biases and activations, from the pixels to the 10 probabilities.",
         "pages/backprop.py"),
    Term("Loss", "How wrong the network is on one example, e.g. the squared difference between "
         "its 10 probabilities and the correct answer.", "pages/output_loss.py"),
    Term("Cost", "The mean loss over the training set: the single number training drives down. "
         "Each step estimates it on a batch, as the mean loss over the batch.",
         "pages/output_loss.py"),
    Term("Backward propagation", "Walking back from the loss through the layers with the chain "
         "rule, to get every weight's slope in one backward pass.", "pages/backprop.py"),
    Term("Cross-entropy", "The loss the Keras code trains with: minus the log of the "
         "probability given to the correct digit. 0 when sure and right, huge when sure and "
         "wrong.", "pages/output_loss.py"),
    Term("Gradient", "The slopes of the cost with respect to every weight: which way, and how "
         "steeply, each weight should move. Estimated by nudging, computed by backpropagation.",
         "pages/nudging.py"),
    Term("Learning rate", "How far one step moves the weights along the gradient. Too small "
         "crawls, too large oscillates or diverges.", "pages/nudging.py"),
    Term("Optimizer", "The rule that turns slopes into weight changes: plain gradient descent, "
         "momentum, RMSprop (what Keras trains MNIST with here) or Adam.", "pages/optimizers.py"),
    Term("Training set", "The examples the network learns from: 60,000 handwritten digits with "
         "their labels.", "pages/train_mnist.py"),
    Term("Test set", "10,000 separate digits the network never sees while learning. Its accuracy "
         "there tells how well it generalises.", "pages/train_mnist.py"),
    Term("Epoch", "One pass over the whole training set. Five epochs: every digit seen five "
         "times.", "pages/train_mnist.py"),
    Term("Batch", "The handful of examples (128 here) whose average gradient makes one weight "
         "update. 60,000 / 128 = 469 updates per epoch.", "pages/train_mnist.py"),
    Term("Deep", "A network with many layers between input and output. Each layer builds on "
         "what the one before found; \"deep learning\" is training such networks.",
         "pages/neurons.py"),
    Term("Hidden layer", "A layer between the input and the output. Nobody tells its cells what "
         "to compute: they learn whatever helps the output (512 cells here).",
         "pages/neurons.py"),
    Term("Label", "The right answer that comes with a training example: the digit a person said "
         "the picture shows.", "pages/output_loss.py"),
    Term("ReLU", "An activation: negative sums become 0, positive ones pass unchanged. Chained, "
         "ReLUs bend a line into any curve.", "pages/nonlinearity.py"),
    Term("Sigmoid", "An activation that squashes any sum into 0 to 1: very negative gives almost "
         "0, very positive almost 1.", "pages/neurons.py"),
    Term("One-hot", "A label written as 10 numbers: 1 in the right digit's cell, 0 elsewhere. "
         "The output layer's 10 probabilities are compared with it.", "pages/output_loss.py"),
    Term("Derivative", "The instantaneous rate of change: how fast the cost changes when one "
         "weight moves a tiny bit. Its sign says which way is downhill.", "pages/nudging.py"),
    Term("Chain rule", "How rates of change multiply through a chain of steps: if a moves b and "
         "b moves c, a's effect on c is the product. Backpropagation applies it layer by layer.",
         "pages/backprop.py"),
    Term("Dropout", "During training, switch off a random share of cells at each step, so the "
         "network cannot lean on any one of them. Off when the network answers.",
         "pages/train_mnist.py"),
    Term("CNN", "A convolutional neural network: it slides small learned templates over the "
         "image, so a pattern is found wherever it sits. Better than a dense network on images.",
         "pages/train_mnist.py"),
    Term("Feature engineering", "Choosing by hand what the network is shown (edges, loops, "
         "templates). A deep network learns its own features from the pixels instead.",
         "pages/patterns.py"),
    Term("Data augmentation", "Training on changed copies of the examples: each digit moved, "
         "turned, resized, drawn thicker or thinner. The network learns the digit, not where "
         "and how MNIST's writers put it.", "pages/draw.py"),
    Term("GPU", "A graphics card: thousands of small cores that do one matrix multiplication in "
         "parallel. Training is mostly such products, so a GPU makes millions of weights fast.",
         "pages/train_mnist.py"),
)


def find(name: str) -> Term | None:
    """The entry for a term, whatever its case, or None."""
    wanted = name.strip().lower()
    return next((term for term in TERMS if term.name.lower() == wanted), None)
