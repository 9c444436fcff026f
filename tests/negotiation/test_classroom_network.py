"""Serving a classroom network: the settings a bound interface implies, links students can open,
and friendly error pages instead of Django's debug pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import RequestFactory, override_settings
from django.urls import path

from config import network
from negotiation.origin import origin_allowed
from negotiation.publicurl import absolute_url
from tests.e2e.servers import ROOT

EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - the bind address under test
SHOW = ("import json; from django.conf import settings as s; print(json.dumps({'debug': s.DEBUG, "
        "'hosts': s.ALLOWED_HOSTS, 'origins': s.WEBSOCKET_ALLOWED_ORIGINS, 'classroom': s.CLASSROOM_HOSTS}))")


def settings_for(**environ: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "WEBSOCKET_ALLOWED_ORIGINS", "PUBLIC_URL",
                          "TREATYCRAFT_BIND_HOST", "DJANGO_ENV", "PORT"}}
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", SHOW], cwd=ROOT, env=env | environ,
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bound_to_every_interface_debug_is_off_and_the_machines_addresses_are_accepted():
    found = settings_for(TREATYCRAFT_BIND_HOST=EVERY_INTERFACE, PORT="8123")
    assert found["debug"] is False
    addresses = network.local_addresses()
    assert addresses, "this machine has a network address"
    for address in addresses:
        assert network.url_host(address) in found["hosts"]
        assert f"http://{network.url_host(address)}:8123" in found["origins"]
    assert found["classroom"][0] == network.url_host(addresses[0])
    assert "127.0.0.1" in found["hosts"]


def test_debug_stays_off_on_the_network_even_when_asked_for():
    assert settings_for(TREATYCRAFT_BIND_HOST=EVERY_INTERFACE, DJANGO_DEBUG="1")["debug"] is False
    assert settings_for(TREATYCRAFT_BIND_HOST="10.0.0.7", DJANGO_DEBUG="1")["debug"] is False


def test_on_loopback_the_development_defaults_stay():
    found = settings_for(TREATYCRAFT_BIND_HOST="127.0.0.1", PORT="8123")
    assert found["debug"] is True
    assert found["classroom"] == []
    assert not set(found["hosts"]) & {network.url_host(a) for a in network.local_addresses()}


def test_public_url_is_accepted_as_host_and_origin():
    found = settings_for(TREATYCRAFT_BIND_HOST=EVERY_INTERFACE, PUBLIC_URL="http://game.school.lan:8000/")
    assert "game.school.lan" in found["hosts"]
    assert "http://game.school.lan:8000" in found["origins"]


def test_addresses_are_never_loopback_or_link_local():
    for address in network.local_addresses():
        assert not network.is_loopback(address)
        assert not address.startswith(("fe80", "169.254."))


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("[::1]", True), ("127.0.1.1", True),
    (EVERY_INTERFACE, False), ("192.168.1.20", False), ("laptop.local", False),
])
def test_loopback_names(host, loopback):
    assert network.is_loopback(host) is loopback


@override_settings(ALLOWED_HOSTS=["127.0.0.1", "localhost", "10.0.0.5", "10.0.0.9"],
                   CLASSROOM_HOSTS=["10.0.0.5", "10.0.0.9"], PUBLIC_URL="")
@pytest.mark.parametrize(("host", "expected"), [
    # The teacher on the laptop itself: students get the classroom address, same port.
    ("127.0.0.1:8000", "http://10.0.0.5:8000/join/ABC/"),
    ("localhost:8000", "http://10.0.0.5:8000/join/ABC/"),
    # Opened through an address others reach: that address.
    ("10.0.0.9:8000", "http://10.0.0.9:8000/join/ABC/"),
])
def test_join_links_name_an_address_students_can_open(host, expected):
    request = RequestFactory().get("/facilitate/", HTTP_HOST=host)
    assert absolute_url(request, "/join/ABC/") == expected


@override_settings(PUBLIC_URL="https://game.example.org", CLASSROOM_HOSTS=["10.0.0.5"])
def test_public_url_wins():
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert absolute_url(request, "/seat/x/") == "https://game.example.org/seat/x/"


@override_settings(CLASSROOM_HOSTS=[], PUBLIC_URL="")
def test_on_loopback_links_keep_the_requests_host():
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert absolute_url(request, "/join/ABC/") == "http://127.0.0.1:8000/join/ABC/"


@override_settings(WEBSOCKET_ALLOWED_ORIGINS=["http://127.0.0.1:8000", "http://10.0.0.5:8000"])
def test_socket_origin_of_a_classroom_address_is_accepted_and_others_refused():
    assert origin_allowed("http://10.0.0.5:8000", "10.0.0.5:8000")
    assert not origin_allowed("http://10.0.0.6:8000", "10.0.0.6:8000")
    assert not origin_allowed("http://10.0.0.5:9000", "10.0.0.5:9000")


@pytest.mark.django_db
def test_a_missing_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
    assert "home page" in response.content.decode()


def _boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_friendly_500(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "kaboom" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_every_page_names_an_icon_that_exists(client):
    import re

    from django.contrib.staticfiles import finders

    body = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', body)
    assert icon, "no icon link on the home page"
    assert finders.find(icon.group(1))
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == f"/static/{icon.group(1)}"
