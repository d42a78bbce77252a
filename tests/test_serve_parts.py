"""The serve command's parts, each alone: nginx's configuration (checked by nginx itself), the
supervisor on small real processes, the command's refusals, the status file."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from explainer.serve import address, hooks, nginx, status
from explainer.serve.supervisor import Program, Supervisor, group_alive

BACKENDS = [nginx.Backend("s1", 18501), nginx.Backend("s2", 18502), nginx.Backend("s3", 18503)]


def test_nginx_accepts_the_configuration_and_everything_it_writes_stays_in_its_folder(
        nginx_path, tmp_path):
    config = nginx.write(BACKENDS, "127.0.0.1:18500", tmp_path)
    check = subprocess.run(nginx.check_command(nginx_path, config, tmp_path), capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr
    text = config.read_text()
    assert "{{" not in text and "daemon off;" in text
    written = [line.split()[1].rstrip(";") for line in text.splitlines()
               if line.split()[:1] in (["pid"], ["error_log"]) or "_temp_path " in line]
    assert len(written) == 2 + len(nginx.TEMP_FOLDERS)
    assert all(w.startswith(str(tmp_path) + "/") for w in written), written
    assert "access_log off;" in text and "include" not in text  # no system file read


def test_the_configuration_sticks_by_nginx_cookie_and_passes_websockets_and_uploads(tmp_path):
    text = nginx.render(BACKENDS, "0.0.0.0:8500", tmp_path)
    for backend in BACKENDS:  # the cookie names a server, the server's own upstream serves it
        assert f'"~^{backend.name}\\.[0-9a-f]{{32}}$" {backend.name};' in text
        assert f"upstream {backend.name} {{\n        server {backend.address};\n    }}" in text
        assert f"{nginx.COOKIE}={backend.name}.$route_visitor; Path=/; HttpOnly" in text
    assert "remote_addr" not in text and "ip_hash" not in text  # never the client's address
    assert "hash $route_visitor consistent;" in text and "least_conn;" in text
    assert "add_header Set-Cookie $route_cookie always;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_buffering off;" in text
    size = re.search(r"client_max_body_size (\d+)m;", text)
    assert size and int(size[1]) > 5  # the app's 5 MB uploads, with the form around them
    assert re.search(r"proxy_read_timeout (\d+)h;", text)
    assert "Secure" not in text and "ssl" not in text


def test_with_a_certificate_nginx_listens_for_https_and_the_cookie_is_secure(tmp_path):
    tls = nginx.Tls(tmp_path / "cert.pem", tmp_path / "key.pem")
    text = nginx.render(BACKENDS[:1], "0.0.0.0:8443", tmp_path, tls)
    assert "listen 0.0.0.0:8443 ssl;" in text
    assert f"ssl_certificate {tmp_path / 'cert.pem'};" in text
    assert f"ssl_certificate_key {tmp_path / 'key.pem'};" in text
    assert "SameSite=Lax; Secure" in text


def test_a_template_name_without_a_value_is_an_error():
    with pytest.raises(KeyError, match="listen"):
        nginx.fill("listen {{listen}};", {})


# -- the supervisor, on small real processes -------------------------------------------------
def shell(name: str, script: str, tmp_path, **more) -> Program:
    return Program(name, ["sh", "-c", script], "server", tmp_path / f"{name}.log", **more)


def child_pids(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_a_program_killed_from_outside_is_restarted_and_leaves_nothing_behind(tmp_path):
    # the program starts a helper of its own, as a Streamlit server starts training workers
    program = shell("s1", "sleep 300 & exec sleep 300", tmp_path)
    supervisor = Supervisor([program], report=lambda line: None)
    supervisor.start_all()
    try:
        first = program.pid
        deadline = time.monotonic() + 5
        while len(child_pids(first)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        helpers = [p for p in child_pids(first) if p != first]
        assert helpers, "the helper did not start"
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while (program.pid in (None, first)) and time.monotonic() < deadline:
            supervisor.poll()
            time.sleep(0.05)
        assert program.pid not in (None, first) and program.restarts == 1
        assert program.exit_codes == [-signal.SIGKILL]
        assert not group_alive(first)  # its helper went with it
    finally:
        supervisor.stop_all(grace=5)
    assert program.state == "stopped" and program.process is None


def test_stop_all_ends_every_group_even_a_program_that_ignores_sigterm(tmp_path):
    stubborn = shell("s1", "trap '' TERM; sleep 300 & wait", tmp_path)
    polite = shell("s2", "exec sleep 300", tmp_path)
    supervisor = Supervisor([stubborn, polite], report=lambda line: None)
    supervisor.start_all()
    pids = [stubborn.pid, polite.pid]
    time.sleep(0.3)
    began = time.monotonic()
    supervisor.stop_all(grace=2)
    assert time.monotonic() - began < 10
    assert not any(group_alive(pid) for pid in pids)


def test_a_program_that_keeps_dying_at_once_waits_longer_each_time(tmp_path):
    program = shell("s1", "exit 3", tmp_path)
    lines: list[str] = []
    supervisor = Supervisor([program], report=lines.append)
    supervisor.start_all()
    try:
        deadline = time.monotonic() + 8
        while program.restarts < 2 and time.monotonic() < deadline:
            supervisor.poll()
            time.sleep(0.05)
    finally:
        supervisor.stop_all(grace=1)
    waits = [float(w) for w in re.findall(r"again in ([\d.]+) s", "\n".join(lines))]
    assert waits[:3] == [1.0, 2.0, 4.0][:len(waits[:3])] and len(waits) >= 2
    assert "exit code 3" in lines[0]


def test_health_marks_a_program_up_only_once_it_answers(tmp_path):
    answers = {"ok": False}
    program = shell("s1", "exec sleep 300", tmp_path, healthy=lambda: answers["ok"])
    supervisor = Supervisor([program], report=lambda line: None)
    supervisor.start_all()
    try:
        assert not supervisor.wait_until_up(0.8)
        assert program.state == "starting"
        answers["ok"] = True
        assert supervisor.wait_until_up(3)
    finally:
        supervisor.stop_all(grace=1)


# -- the command -----------------------------------------------------------------------------
def serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explainer.serve", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_the_command_refuses_what_it_cannot_do_before_starting_anything(tmp_path):
    refused = serve("--replicas", "0")
    assert refused.returncode == 2 and "between 1 and 16" in refused.stderr
    alone = serve("--cert", __file__)
    assert alone.returncode == 2 and "--cert and --key go together" in alone.stderr
    odd = serve("--public-url", "javascript:alert(1)")
    assert odd.returncode == 2 and "not an http:// or https:// address" in odd.stderr


def test_the_queue_workers_take_shared_work_apart_and_visitors_first(monkeypatch):
    from explainer.training import queue_names

    monkeypatch.setenv(hooks.REDIS_VARIABLE, "redis://127.0.0.1:6399/0")
    shared, visitors = hooks.worker_command(0), hooks.worker_command(1)
    assert shared[-1:] == [queue_names.SHARED_QUEUE]
    assert visitors[-2:] == [queue_names.VISITOR_QUEUE, queue_names.SHARED_QUEUE]
    assert "redis://127.0.0.1:6399/0" in shared and "explainer.training.queue_worker.KerasWorker" \
        in visitors
    monkeypatch.delenv(hooks.REDIS_VARIABLE)
    with pytest.raises(hooks.NotAvailable):
        hooks.worker_command(1)
    status = hooks.training_status()  # this process's own pool: no queue workers to count
    assert status.running_count == status.waiting == 0 and status.workers is None


@pytest.mark.slow
def test_prepare_trains_the_shared_work_before_the_class_and_then_exits(tmp_path):
    from explainer.data.mnist import SAMPLE_PATH
    from explainer.training.experiments import EXPERIMENTS

    env = {**os.environ, "MNIST_DIR": str(SAMPLE_PATH), "EXPLAINER_CACHE_DIR": str(tmp_path),
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    prepared = subprocess.run([sys.executable, "-m", "explainer.serve", "--prepare"],
                              capture_output=True, text=True, timeout=900, env=env)
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr[-2000:]
    assert list(tmp_path.glob("default-mlp-6000-digits-*.npz"))
    assert len(list(tmp_path.glob("experiment-*.json"))) == len(EXPERIMENTS)
    again = subprocess.run([sys.executable, "-m", "explainer.serve", "--prepare"],
                           capture_output=True, text=True, timeout=300, env=env)
    assert again.returncode == 0 and "loaded from the cache" in again.stdout  # nothing trained


def test_a_port_in_use_is_named_with_what_to_do(nginx_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--listen", "127.0.0.1", "--port", str(port))
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is in use" in result.stderr and "--port" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the address and its status ----------------------------------------------------------------
def test_the_address_to_share_names_this_machine_and_the_scheme():
    assert address.share_address("127.0.0.1", 8500, https=False) == "http://127.0.0.1:8500"
    assert address.share_address("127.0.0.1", 443, https=True) == "https://127.0.0.1"
    lan = address.share_address("0.0.0.0", 8500, https=False)
    assert re.fullmatch(r"http://\d+\.\d+\.\d+\.\d+:8500", lan) and "0.0.0.0" not in lan


def test_the_status_file_round_trips_and_an_unreadable_one_is_none(tmp_path):
    program = Program("s1", ["true"], "server", tmp_path / "s1.log", port=8501, restarts=2,
                      state="up")
    path = tmp_path / "status.json"
    status.write(path, "http://10.0.0.5:8500", 100.0, [program])
    found = status.read(path)
    assert found.address == "http://10.0.0.5:8500" and found.up("server") == 1
    assert found.programs[0].restarts == 2 and found.programs[0].port == 8501
    path.write_text("{not json")
    assert status.read(path) is None
    assert status.read(tmp_path / "missing.json") is None
