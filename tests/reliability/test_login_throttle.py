"""Password guessing on the login pages is throttled per address and per account (django-axes),
with a page that says what happened; a player's game is not slowed by it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
PAGES = ("/accounts/login/", "/admin/login/")


@pytest.fixture
def teacher():
    return get_user_model().objects.create_user(username="teacher", password="right-horse-42", is_staff=True)


def attempt(client: Client, page: str, username: str, password: str) -> int:
    return client.post(page, {"username": username, "password": password}).status_code


@pytest.mark.parametrize("page", PAGES)
def test_an_address_guessing_passwords_is_locked_out_with_a_clear_page(teacher, page):
    limit = settings.AXES_FAILURE_LIMIT
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [attempt(guesser, page, "teacher", f"guess-{i}") for i in range(limit - 1)]
    assert set(statuses) == {200}  # the form again, with its error
    reply = guesser.post(page, {"username": "teacher", "password": "guess-last"})
    assert reply.status_code == 429
    assert "Too many failed logins" in reply.content.decode()
    # Locked out: even the right password and other accounts' names are refused from there.
    assert attempt(guesser, page, "teacher", "right-horse-42") == 429
    assert attempt(guesser, page, "someone-else", "x") == 429


def test_an_account_is_protected_from_guesses_spread_over_many_addresses(teacher):
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit):
        attempt(Client(REMOTE_ADDR=f"198.51.100.{i + 1}"), "/accounts/login/", "teacher", f"guess-{i}")
    assert attempt(Client(REMOTE_ADDR="198.51.100.200"), "/accounts/login/", "teacher", "right-horse-42") == 429


def test_a_teacher_who_mistypes_a_few_times_logs_in_and_starts_afresh(teacher):
    client = Client(REMOTE_ADDR="192.0.2.10")
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "/accounts/login/", "teacher", f"typo-{i}") == 200
    assert attempt(client, "/accounts/login/", "teacher", "right-horse-42") == 302
    client.post("/accounts/logout/")
    # The success reset the count: the same number of typos again is not a lockout.
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "/accounts/login/", "teacher", f"typo-{i}") == 200
    assert attempt(client, "/accounts/login/", "teacher", "right-horse-42") == 302


def test_other_addresses_and_accounts_are_not_affected(teacher):
    get_user_model().objects.create_user(username="colleague", password="other-horse-43", is_staff=True)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(guesser, "/accounts/login/", "nobody", f"guess-{i}")
    assert attempt(Client(REMOTE_ADDR="192.0.2.20"), "/accounts/login/", "colleague", "other-horse-43") == 302
