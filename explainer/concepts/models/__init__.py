"""Readers of a trained model: its forward pass, what it answers, what it got wrong,
what its cells look for, and what it dreams."""
