"""The classroom recipe, `make run HOST=0.0.0.0`, as a room uses it: the teacher's laptop serves,
a student's device reaches it through the laptop's network address (page and socket), the teacher
who opened 127.0.0.1 still hands out a link students can open, and no debug page reaches the room.

The student's device is a browser inside a network namespace whose only way to the server is a
veth pair to a 10.231.x.x address of this machine (tests/e2e/lan.py); nothing leaves the machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.lan import ClassroomNetwork, can_make_namespaces
from tests.e2e.servers import ROOT, die_with_parent, free_port, wait_http
from tests.helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - the bind address under test
pytestmark = pytest.mark.browser

TEACHER, PASSWORD = "teacher", "pw-teacher-123"


class MakeRun:
    """`manage.py serve --host 0.0.0.0` (what `make run HOST=0.0.0.0` runs) on a fresh SQLite file."""

    def __init__(self, tmp_path) -> None:
        self.port = free_port()
        self.env = {key: value for key, value in os.environ.items()
                    if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS",
                                   "WEBSOCKET_ALLOWED_ORIGINS", "PUBLIC_URL", "TREATYCRAFT_BIND_HOST",
                                   "DJANGO_ENV", "PORT", "HOST"}}
        self.env |= {"SQLITE_PATH": str(tmp_path / "classroom.sqlite3"), "PYTHONUNBUFFERED": "1"}
        self.output: list[str] = []
        self.proc: subprocess.Popen[str] | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self) -> MakeRun:
        self.manage("migrate", "--noinput")
        # An account of our own first, so bootstrap does not write a login file into the checkout.
        self.manage("shell", "-c", "from django.contrib.auth import get_user_model; get_user_model().objects"
                                   f".create_user(username='{TEACHER}', password='{PASSWORD}', is_staff=True)")
        self.manage("bootstrap")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--host", EVERY_INTERFACE, "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=die_with_parent,
        )
        threading.Thread(target=self._read, daemon=True).start()
        wait_http(f"http://127.0.0.1:{self.port}/healthz")
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    def printed(self) -> str:
        deadline = time.monotonic() + 10
        while "Students open" not in "".join(self.output) and time.monotonic() < deadline:
            time.sleep(0.1)
        return "".join(self.output)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def classroom():
    if not can_make_namespaces():
        pytest.skip("needs root to create a network namespace (CI runs as root)")
    network = ClassroomNetwork().create()
    yield network
    network.remove()


@pytest.fixture(scope="module")
def server(classroom, tmp_path_factory):
    served = MakeRun(tmp_path_factory.mktemp("classroom")).start()
    yield served
    served.stop()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_startup_prints_the_address_students_type(server, classroom):
    printed = server.printed()
    assert "http://0.0.0.0" not in printed
    students = re.search(r"Students open: (\S+)", printed)
    assert students, printed
    # Every address of the machine is offered, the classroom one included.
    assert f"http://{classroom.host_address}:{server.port}/" in printed


def test_pages_through_the_network_address_are_served_without_debug_pages(server, classroom):
    base = f"http://{classroom.host_address}:{server.port}"
    status, body = fetch(f"{base}/")
    assert status == 200, body[:500]
    assert "Join code" in body
    status, body = fetch(f"{base}/no-such-page/")
    assert status == 404
    assert "This page does not exist" in body
    # Django's debug 404 lists every URL pattern of the site.
    assert "URLconf" not in body and "healthz" not in body


def test_a_student_device_joins_and_plays_through_the_laptops_address(server, classroom):
    base = f"http://{classroom.host_address}:{server.port}"
    with sync_playwright() as pw:
        laptop = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        device = pw.chromium.launch(executable_path=classroom.chromium_in_device(), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            teacher = laptop.new_page(viewport={"width": 1366, "height": 900})
            teacher.on("pageerror", lambda exc: errors.append(f"teacher: {exc}"))
            teacher.on("console", lambda msg: msg.type == "error" and errors.append(f"teacher console: {msg.text}"))
            teacher.goto(f"http://127.0.0.1:{server.port}/accounts/login/?next=/facilitate/")
            teacher.get_by_label("Username").fill(TEACHER)
            teacher.get_by_label("Password").fill(PASSWORD)
            teacher.get_by_role("button", name="Log in").click()
            teacher.get_by_test_id("create-game").click()
            code = teacher.get_by_test_id("join-code").inner_text().strip()
            expect(teacher.locator("body")).to_have_attribute("data-ws", "open")

            # The teacher is on 127.0.0.1, yet the join link and its QR code name an address of the
            # machine that other devices can reach.
            join_url = teacher.get_by_test_id("join-url").inner_text().strip()
            host = urlsplit(join_url).hostname
            assert host not in {"127.0.0.1", "localhost", EVERY_INTERFACE}, join_url
            assert f"http://{host}:{server.port}/" in server.printed()
            assert join_url.endswith(f":{server.port}/join/{code}/")

            # The student's device knows only the laptop's classroom address.
            probe = device.new_page()
            with pytest.raises(Exception, match="ERR_CONNECTION_REFUSED"):
                probe.goto(f"http://127.0.0.1:{server.port}/healthz", timeout=5_000)
            probe.close()
            student = device.new_page(viewport={"width": 390, "height": 844})
            student.on("pageerror", lambda exc: errors.append(f"student: {exc}"))
            student.on("console", lambda msg: msg.type == "error" and errors.append(f"student console: {msg.text}"))
            student.goto(f"{base}/join/{code}/")
            student.get_by_label("Your name").fill("Ana")
            student.locator("input[name=state_id][value=aurel]").check()
            student.get_by_role("button", name="Take my seat").click()
            # The WebSocket passed the origin check with the classroom address as its origin.
            expect(student.locator("body")).to_have_attribute("data-ws", "open")
            expect(teacher.locator("#console-controls tr[data-state=aurel]")).to_contain_text("Ana")

            # A push reaches the device over that socket.
            teacher.get_by_test_id("start-game").click()
            expect(student.get_by_test_id("phase")).to_contain_text(re.compile("negotiation", re.I))
            ARTIFACTS.mkdir(exist_ok=True)
            with suppress(Exception):
                student.screenshot(path=str(ARTIFACTS / "classroom-network-student.png"), full_page=True)
            assert errors == [], "\n".join(errors)
        finally:
            with suppress(Exception):
                device.close()
            with suppress(Exception):
                laptop.close()
