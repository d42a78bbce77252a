"""nginx in front of the servers: sticky by a cookie it sets itself, never by the visitor's address.

Streamlit keeps a session's state, its uploads and its media files in the process that made
them, so every request of a tab must reach the same server. A classroom shares one address, so
the key is a cookie, ``explainer_server``, naming the server that answered last: a request goes
to the server its cookie names; without the cookie, or when that server does not answer, it goes
to whichever server has the fewest connections, and that server's reply sets the cookie to its
own name. So a server restarted after a crash does not pull back the visitors who moved away
while it was down: their cookies now name their new server.

The configuration is written into a folder of its own (``nginx -p DIR -c FILE``) with every path
nginx writes inside it: no root needed, no system configuration touched. Run as root, nginx's
workers run as ``nobody``, so the folder's temporary paths are made theirs.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

COOKIE = "explainer_server"
UPLOAD_MB = 6  # the app takes 5 MB uploads (.streamlit/config.toml), plus the form around them

TEMPLATE = """\
daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}

http {{
    access_log off;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    client_max_body_size {upload_mb}m;
    client_body_buffer_size {upload_mb}m;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
    # the server a visitor's cookie names, as an address; else any server
    map $cookie_{cookie} $explainer_chosen {{
{chosen}
        default explainer_any;
    }}
    # the server that answered (the last one tried), and the cookie naming it
    map $upstream_addr $explainer_served {{
{served}
        default "";
    }}
    map $explainer_served $explainer_cookie {{
        "" "";
        default "{cookie}=$explainer_served; Path=/; HttpOnly; SameSite=Lax{secure}";
    }}

    upstream explainer_any {{
        least_conn;
{servers}
    }}

    server {{
        listen {listen}{ssl};
{certificates}
        server_name _;

        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        proxy_connect_timeout 2s;
        proxy_buffering off;
        proxy_request_buffering off;
        add_header Set-Cookie $explainer_cookie always;

        location / {{
            error_page 502 504 = @any;  # the named server is down: any other
            proxy_pass http://$explainer_chosen;
        }}
        location @any {{
            proxy_pass http://explainer_any;
        }}
    }}
}}
"""


def server_name(index: int) -> str:
    return f"s{index}"


def config(folder: Path, listen: str, ports: list[int], cert: str = "", key: str = "") -> str:
    """The configuration for servers on 127.0.0.1 at ``ports``, nginx listening on ``listen``."""
    chosen = "\n".join(f'        {server_name(i)} "127.0.0.1:{port}";'
                       for i, port in enumerate(ports))
    served = "\n".join(f'        "~127\\.0\\.0\\.1:{port}$" {server_name(i)};'
                       for i, port in enumerate(ports))
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                        for port in ports)
    certificates = (f"        ssl_certificate {cert};\n        ssl_certificate_key {key};"
                    if cert else "")
    return TEMPLATE.format(folder=folder, cookie=COOKIE, upload_mb=UPLOAD_MB, chosen=chosen,
                           served=served, servers=servers, listen=listen,
                           ssl=" ssl" if cert else "", certificates=certificates,
                           secure="; Secure" if cert else "")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                     else None)


def start(folder: Path, listen: str, ports: list[int], cert: str = "",
          key: str = "") -> subprocess.Popen:
    """Write the configuration into ``folder`` and start nginx in the foreground."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx)")
    temp = folder / "temp"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # its workers run as nobody: their temporary files must be theirs
        nobody = pwd.getpwnam("nobody")
        for path in (temp, *temp.iterdir()):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    path = folder / "nginx.conf"
    path.write_text(config(folder, listen, ports, cert, key))
    check = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(path)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
    return subprocess.Popen([binary, "-p", str(folder), "-c", str(path)],
                            stdin=subprocess.DEVNULL, start_new_session=True)
