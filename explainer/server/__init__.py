"""Server tuning: memory, CPU share and garbage collection of a long-running process."""
