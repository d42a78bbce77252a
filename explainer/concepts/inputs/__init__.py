"""What a visitor hands in, checked and made into MNIST's 28 x 28 input: a drawing
or an uploaded picture."""
