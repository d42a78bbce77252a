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
    Term("Cost", "The loss averaged over the whole training set: the single number that training "
         "drives down.", "pages/output_loss.py"),
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
         "momentum, RMSprop (what Keras trains MNIST with here) or Adam.", "pages/nudging.py"),
    Term("Training set", "The examples the network learns from: 60,000 handwritten digits with "
         "their labels.", "pages/train_mnist.py"),
    Term("Test set", "10,000 separate digits the network never sees while learning. Its accuracy "
         "there tells how well it generalises.", "pages/train_mnist.py"),
    Term("Epoch", "One pass over the whole training set. Five epochs: every digit seen five "
         "times.", "pages/train_mnist.py"),
    Term("Batch", "The handful of examples (128 here) whose average gradient makes one weight "
         "update. 60,000 / 128 = 469 updates per epoch.", "pages/train_mnist.py"),
)
