"""The address a teacher shares: this machine's address on the local network, and the port."""

from __future__ import annotations

import socket


def local_address() -> str:
    """This machine's address on the network its default route leads to (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a documentation address: only the route is looked up
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def share_url(host: str, port: int, https: bool = False) -> str:
    """The URL visitors open: the listening address, or this machine's when it listens on all."""
    shown = local_address() if host in ("0.0.0.0", "", "::") else host
    return f"{'https' if https else 'http'}://{shown}:{port}"
