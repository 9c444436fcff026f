"""CSRF on every POST, no database write during any GET, and bad form posts answered cleanly."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from negotiation.models import Message
from tests.reliability.test_access_matrix import ROLES, matrix, record, world  # noqa: F401

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def test_every_post_without_a_csrf_token_is_refused(world):
    game, clients, member = world
    posts = [(name, path, data) for name, method, path, data, _ in matrix(game, member.token) if method == "post"]
    checked = 0
    for role in ROLES:
        strict = Client(enforce_csrf_checks=True)
        strict.cookies = clients[role].cookies
        for name, path, data in posts:
            response = strict.post(path, data, HTTP_HX_REQUEST="true")
            assert response.status_code == 403, f"{name} as {role} was not refused: {response.status_code}"
            checked += 1
    assert Message.objects.count() == 0
    record("csrf_posts_refused", checked)


def test_no_get_writes_to_the_database(world):
    game, clients, member = world
    gets = [(name, path) for name, method, path, _, _ in matrix(game, member.token) if method == "get"]
    checked = 0
    for role in ROLES:
        for name, path in gets:
            with CaptureQueriesContext(connection) as queries:
                clients[role].get(path)
            writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
            assert writes == [], f"GET {name} as {role} wrote: {writes[:2]}"
            checked += 1
    record("get_requests_without_writes", checked)


def test_an_oversized_post_is_refused_and_keeps_nothing(world):
    game, clients, _ = world
    response = clients["player_a"].post(f"/g/{game.pk}/chat/", {"body": "x" * 400_000}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_a_malformed_multipart_post_is_a_clean_400(world):
    game, clients, _ = world
    response = clients["player_a"].generic(
        "POST", f"/g/{game.pk}/chat/", b"\x00\xff garbage", content_type="multipart/form-data")
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_too_many_fields_are_refused(world):
    game, clients, _ = world
    data = {f"f{i}": "1" for i in range(2000)}
    response = clients["player_a"].post(f"/g/{game.pk}/orders/add/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400


def test_private_pages_are_never_cached(world):
    game, clients, _ = world
    for role, path in (("player_a", f"/play/{game.code}/"), ("fac", f"/facilitate/{game.pk}/")):
        response = clients[role].get(path)
        assert "no-store" in response["Cache-Control"]
        assert b'hx-history="false"' in response.content


def test_pages_carry_a_content_security_policy_without_inline_script(world):
    game, clients, _ = world
    response = clients["player_a"].get(f"/play/{game.code}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html


@pytest.mark.slow
def test_an_oversized_body_is_refused_before_the_server_reads_it(tmp_path):
    """Daphne used to read and queue a whole body before Django's 400: 100 MB cost 100 MB."""
    import socket
    import threading

    from tests.e2e.servers import Cluster

    cluster = Cluster(f"sqlite:///{tmp_path / 'body.sqlite3'}", processes=1).start()
    try:
        pid, port = cluster.procs[0].pid, cluster.ports[0]

        def peak_rss_kib() -> int:
            status = Path(f"/proc/{pid}/status").read_text()
            return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))

        before = peak_rss_kib()
        for chunked in (False, True):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                length = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: 104857600"
                s.sendall(b"POST /join/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                          + length + b"\r\n\r\n")

                def flood(sock=s, chunked=chunked):
                    block = b"x" * (1 << 20)
                    framed = b"100000\r\n" + block + b"\r\n" if chunked else block
                    try:
                        for _ in range(100):
                            sock.sendall(framed)
                    except OSError:
                        pass  # the server closed the connection: what we want

                sender = threading.Thread(target=flood, daemon=True)
                sender.start()
                head = s.recv(4096)
                sender.join(timeout=30)
            assert head.startswith(b"HTTP/1.1 413"), head[:200]
        grown_mib = (peak_rss_kib() - before) / 1024
        assert grown_mib < 20, f"the server grew by {grown_mib:.0f} MiB"
        # Ordinary requests are served as before.
        status = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).status
        assert status == 200
    finally:
        cluster.stop()
