"""Server tuning: the memory of a long-running web process."""
