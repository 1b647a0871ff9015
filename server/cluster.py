"""Several NMF Lab processes behind HAProxy on one machine: ``make serve``.

One Streamlit process runs its scripts under one GIL, so it uses about one core however many
the machine has. This starts ``--processes`` app processes (``streamlit run serve.py``, each
with its warm start) on free loopback ports and, once every one is healthy, HAProxy in front of
them on ``--port``. HAProxy sends each new visitor to the process with the fewest connections
and keeps the visitor there with a cookie (``NMFLAB_PROCESS``): a Streamlit session lives in
the process that holds its websocket, and the browser's uploads, media and the websocket's
reconnects must reach that same process. Health checks ask ``/_stcore/health``; a process that
fails them takes no new visitors.

The same shape on a department server or Kubernetes is in the README ("Deploying").

    python -m server.cluster --processes 2 --port 8501
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STICKY_COOKIE = "NMFLAB_PROCESS"
START_TIMEOUT = 300.0


def haproxy_config(
    backend_ports: Sequence[int], *, port: int, bind_address: str = "127.0.0.1"
) -> str:
    """HAProxy's configuration for app processes on ``backend_ports``, listening on ``port``.

    Parameters
    ----------
    backend_ports : sequence of int
        Loopback ports of the app processes, one ``server`` line each.
    port : int
        Where visitors connect.
    bind_address : str
        ``127.0.0.1`` for this machine only, ``0.0.0.0`` for a network.

    Raises
    ------
    ValueError
        If there is no backend or a port is out of range.
    """
    if not backend_ports:
        raise ValueError("at least one app process is needed")
    for value in (*backend_ports, port):
        if not 0 < int(value) < 65536:
            raise ValueError(f"not a TCP port: {value}")
    servers = "\n".join(
        f"    server app{index} 127.0.0.1:{backend} check cookie app{index}"
        for index, backend in enumerate(backend_ports, start=1)
    )
    # Websocket sessions last as long as a lecture: the tunnel timeout, not the client/server
    # ones, applies once the connection is upgraded.
    return f"""global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 300s
    timeout tunnel 4h
    # A process busy with a class answers its health check late, not never.
    timeout check 10s
    option forwardfor

frontend nmf_lab
    bind {bind_address}:{port}
    default_backend app_processes

backend app_processes
    balance leastconn
    cookie {STICKY_COOKIE} insert indirect nocache httponly
    # Which process answered: for logs, and for the test that stickiness holds.
    http-response set-header X-NMF-Lab-Process %[srv_name]
    option httpchk GET /_stcore/health
    http-check expect status 200
    default-server inter 5s fall 3 rise 1
{servers}
"""


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    """Whether the process on ``port`` answers its health check with 200."""
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as r:
            return r.status == 200
    return False


def app_command(port: int) -> list[str]:
    """The command of one app process (as ``make run``, on a loopback port)."""
    return [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true",
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--bind", default="127.0.0.1", help="0.0.0.0 to serve a network")
    args = parser.parse_args(argv)
    if not 1 <= args.processes <= 64:
        parser.error("--processes must lie in 1..64")
    haproxy = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
    )
    if haproxy is None:
        parser.error(
            "haproxy is not installed (Debian: apt-get install haproxy; `make serve` does it)"
        )

    ports = [free_port() for _ in range(args.processes)]
    children: list[subprocess.Popen] = []

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=15)
            if child.poll() is None:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        children += [subprocess.Popen(app_command(port), cwd=ROOT) for port in ports]
        deadline = time.monotonic() + START_TIMEOUT
        while not all(healthy(port) for port in ports):
            if any(child.poll() is not None for child in children):
                print("an app process exited while starting", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(
                    f"the app processes were not healthy within {START_TIMEOUT:.0f} s",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
        config = Path(tempfile.mkdtemp(prefix="nmf-lab-haproxy-")) / "haproxy.cfg"
        config.write_text(haproxy_config(ports, port=args.port, bind_address=args.bind))
        balancer = subprocess.Popen([haproxy, "-db", "-f", str(config)])
        children.append(balancer)
        print(
            f"NMF Lab: {args.processes} app process(es) behind HAProxy on "
            f"http://{args.bind}:{args.port}",
            flush=True,
        )
        return balancer.wait()
    finally:
        stop()


if __name__ == "__main__":
    raise SystemExit(main())
