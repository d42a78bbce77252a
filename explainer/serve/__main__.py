"""One command for a class: ``python -m explainer.serve --replicas 3 --port 8500``.

Starts the servers and nginx in front of them (explainer/serve/cluster.py), prints the address to
share, restarts whatever dies, and stops everything at Ctrl-C. ``--workers K`` puts the trainings
on a job queue: a private Redis (or ``REDIS_URL``) and K queue workers, plus one for the work
every visitor shares. ``--prepare`` trains the shared default model and the one-change
experiments before the class arrives, then exits.
"""

from __future__ import annotations

import argparse
import signal
import sys

from explainer.serve.address import share_url
from explainer.serve.cluster import Cluster


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m explainer.serve",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3, help="Streamlit servers (default 3)")
    parser.add_argument("--port", type=int, default=8500, help="the port to share (default 8500)")
    parser.add_argument("--host", default="0.0.0.0",
                        help="the address nginx listens on (default: every address of this "
                             "machine, so the class can reach it)")
    parser.add_argument("--workers", type=int, default=0, metavar="K",
                        help="train on a job queue with K queue workers (Redis from REDIS_URL, "
                             "else a private one on loopback); 0: each server's own pool")
    parser.add_argument("--cert", default="", help="a TLS certificate: serve HTTPS")
    parser.add_argument("--key", default="", help="the certificate's private key")
    parser.add_argument("--prepare", action="store_true",
                        help="train the shared default model and the experiments, then exit")
    args = parser.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    if not 1 <= args.replicas <= 32:
        parser.error("--replicas takes 1 to 32")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.prepare:
        from explainer.serve.prepare import prepare

        return prepare(args.workers)
    address = share_url(args.host, args.port, bool(args.cert))
    cluster = Cluster(replicas=args.replicas, port=args.port, host=args.host,
                      workers=args.workers, cert=args.cert, key=args.key, share_url=address)

    def stop(*_):
        cluster.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        cluster.start()
    except Exception as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        cluster.stop()
        return 1
    queue = (f", trainings on a job queue with {args.workers} worker"
             f"{'s' if args.workers != 1 else ''}" if args.workers else "")
    print(f"{args.replicas} servers behind nginx{queue}.\n"
          f"Share this address with the class: {address}\n"
          f"Status for the host: {address}/host_status\n"
          f"Logs: {cluster.logs}\n"
          "Press Ctrl-C to stop everything.", flush=True)
    cluster.keep_running()
    return 0


if __name__ == "__main__":
    sys.exit(main())
