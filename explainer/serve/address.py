"""The address a class opens: this machine's address on the local network, and its QR code."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import segno

WILDCARDS = ("0.0.0.0", "::", "")


def local_network_address() -> str:
    """This machine's address as others on its network reach it (the one its outgoing packets
    would come from); 127.0.0.1 when it has no network. Nothing is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a documentation address: only picks a route
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def share_address(listen: str, port: int, https: bool) -> str:
    """The address to share for nginx listening on ``listen`` ("0.0.0.0": all interfaces)."""
    host = local_network_address() if listen in WILDCARDS else listen
    if ":" in host:  # IPv6
        host = f"[{host}]"
    scheme = "https" if https else "http"
    default = 443 if https else 80
    return f"{scheme}://{host}" + ("" if port == default else f":{port}")


def checked_url(text: str) -> str:
    """An address given by the host (``--public-url``): http(s), a host name, nothing else."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an http:// or https:// address")
    return text.strip().rstrip("/")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def terminal_code(url: str) -> str:
    """The address as a QR code drawn with block characters, to show in the terminal."""
    import io

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()
