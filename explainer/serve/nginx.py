"""nginx in front of the Streamlit servers: its configuration, written from a template.

The template (``nginx.conf.template`` beside this file) holds the whole design, the stickiness
included; this module fills in the servers' ports, the address to listen on and the certificate,
and points every file nginx writes (pid, error log, temporary files) into one folder, so nginx
runs from ``nginx -c FILE -p FOLDER`` without root and without touching the system's
configuration.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
COOKIE = "explainer_route"
NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
ERROR_LOG = "nginx-error.log"
TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Backend:
    """One Streamlit server as nginx sees it: its name in the route cookie and its port."""

    name: str  # "s1", "s2"...
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Tls:
    """A certificate and its private key, both PEM files."""

    cert: Path
    key: Path


def find_nginx() -> str | None:
    """Debian's nginx (``apt-get install nginx``), or one on the PATH."""
    for candidate in (*NGINX_PATHS, shutil.which("nginx")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def worker_user() -> str:
    """The ``user`` line: as root, nginx's worker runs as nobody; otherwise as whoever runs it."""
    if os.geteuid() != 0:
        return ""
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return ""
    group = next((name for name in ("nogroup", "nobody") if _group_exists(name)), None)
    return f"user nobody {group};\n" if group else "user nobody;\n"


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def render(backends: list[Backend], listen: str, folder: Path, tls: Tls | None = None,
           error_log: Path | None = None) -> str:
    """The configuration text for these servers, listening on ``listen`` ("0.0.0.0:8500");
    nginx's errors go to ``error_log`` (default: in ``folder``)."""
    if not backends:
        raise ValueError("nginx needs at least one server behind it")
    secure = "; Secure" if tls else ""
    values = {
        "user": worker_user(),
        "folder": str(folder),
        "error_log": str(error_log or folder / ERROR_LOG),
        "listen": f"{listen} ssl" if tls else listen,
        "home_by_cookie": "\n".join(
            f'        "~^{b.name}\\.[0-9a-f]{{32}}$" {b.name};' for b in backends),
        "cookie_by_answer": "\n".join(
            f'        "~(^|[ ,:]){re.escape(b.address)}$" '
            f'"{COOKIE}={b.name}.$route_visitor; Path=/; HttpOnly; SameSite=Lax{secure}";'
            for b in backends),
        "servers": "\n".join(f"        server {b.address} max_fails=1 fail_timeout=10s;"
                             for b in backends),
        "home_upstreams": "\n".join(f"    upstream {b.name} {{\n        server {b.address};\n    }}"
                                    for b in backends),
        "tls": _tls_lines(tls),
    }
    return fill(TEMPLATE.read_text(), values)


def _tls_lines(tls: Tls | None) -> str:
    if tls is None:
        return ""
    return "\n".join([
        f"        ssl_certificate {Path(tls.cert).resolve()};",
        f"        ssl_certificate_key {Path(tls.key).resolve()};",
        "        ssl_protocols TLSv1.2 TLSv1.3;",
        "        ssl_session_cache shared:tls:1m;",
        "        # http:// typed for this port: send the browser to https://",
        "        error_page 497 =301 https://$http_host$request_uri;",
    ])


def fill(template: str, values: dict[str, str]) -> str:
    """Replace each ``{{name}}``; a name without a value is an error, not an empty line."""
    missing = sorted(set(_PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise KeyError(f"no value for {', '.join(missing)} in the nginx template")
    return _PLACEHOLDER.sub(lambda match: values[match[1]], template)


def write(backends: list[Backend], listen: str, folder: Path, tls: Tls | None = None,
          error_log: Path | None = None) -> Path:
    """Write the configuration into ``folder``, make its temporary folders, return its path.

    The folder must let nginx's worker (nobody, when started as root) reach the temporary
    folders, which nginx itself gives to that user when it starts.
    """
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o711)
    path = folder / "nginx.conf"
    path.write_text(render(backends, listen, folder, tls, error_log))
    return path


def command(nginx: str, config: Path, folder: Path, error_log: Path | None = None) -> list[str]:
    """nginx in the foreground (``daemon off`` is in the file), everything inside ``folder``;
    ``-e``: its errors go there from the start, not to the system's log."""
    return [nginx, "-c", str(config), "-p", str(folder), "-e",
            str(error_log or folder / ERROR_LOG)]


def check_command(nginx: str, config: Path, folder: Path,
                  error_log: Path | None = None) -> list[str]:
    """``nginx -t``: test the file without starting."""
    return [*command(nginx, config, folder, error_log), "-t", "-q"]
