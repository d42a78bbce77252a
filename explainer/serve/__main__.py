"""``python -m explainer.serve``: the app for a class, several servers behind nginx.

    python -m explainer.serve --replicas 3 --port 8500
    python -m explainer.serve --port 8443 --cert cert.pem --key key.pem   # HTTPS
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explainer.serve import address, cluster, hooks, nginx

MAX_REPLICAS = 16


def replica_count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= MAX_REPLICAS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_REPLICAS}")
    return count


def port_number(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("between 1 and 65535")
    return port


def public_url(text: str) -> str:
    try:
        return address.checked_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="python -m explainer.serve",
        description="Serve the app to a class: several Streamlit servers behind nginx, each "
                    "browser kept on its own server. Ctrl-C stops everything it started.")
    found.add_argument("--replicas", type=replica_count, default=3, metavar="N",
                       help="Streamlit servers to run (1-16; default 3: about 30 brisk visitors "
                            "on two cores)")
    found.add_argument("--port", type=port_number, default=8500,
                       help="the port the class connects to (default 8500)")
    found.add_argument("--listen", default="0.0.0.0", metavar="ADDRESS",
                       help="where nginx listens (default 0.0.0.0: every network of this "
                            "machine; 127.0.0.1: this machine only)")
    found.add_argument("--public-url", type=public_url, metavar="URL",
                       help="the address to share, when the class reaches this machine by "
                            "another name (default: its address on the local network)")
    found.add_argument("--cert", type=Path, help="HTTPS: the certificate (PEM), with --key")
    found.add_argument("--key", type=Path, help="HTTPS: its private key (PEM)")
    found.add_argument("--workers", type=int, default=0, metavar="K",
                       help="put the trainings on a job queue with K workers for visitors' "
                            "trainings (and one for shared work); Redis from REDIS_URL, else a "
                            "private one on loopback. 0 (default): each server trains in its "
                            "own worker processes")
    found.add_argument("--prepare", action="store_true",
                       help="load the digits, train the shared default model and the "
                            "experiments, then exit (before the class arrives)")
    found.add_argument("--status-file", type=Path, metavar="FILE",
                       help="where to keep the status of the servers (JSON; default: in the "
                            "temporary folder)")
    found.add_argument("--log-dir", type=Path, metavar="FOLDER",
                       help="keep the servers' and nginx's logs there (default: removed at "
                            "the end with the temporary folder)")
    found.add_argument("--start-timeout", type=float, default=180.0, metavar="SECONDS",
                       help="how long to wait for every server to answer (default 180)")
    return found


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if args.workers < 0:
        command.error("--workers is 0 or more")
    if args.prepare:
        return hooks.prepare(args.workers)
    if (args.cert is None) != (args.key is None):
        command.error("--cert and --key go together")
    tls = None
    if args.cert is not None:
        for path in (args.cert, args.key):
            if not path.is_file():
                command.error(f"{path} is not a file")
        tls = nginx.Tls(args.cert.resolve(), args.key.resolve())
    options = cluster.Options(
        replicas=args.replicas, port=args.port, listen=args.listen, public_url=args.public_url,
        tls=tls, workers=args.workers, status_file=args.status_file and args.status_file.resolve(),
        log_dir=args.log_dir and args.log_dir.resolve(), start_timeout=args.start_timeout)
    return cluster.run(options)


if __name__ == "__main__":
    sys.exit(main())
