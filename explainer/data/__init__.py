"""MNIST: the loader and the small sample shipped for offline use."""
