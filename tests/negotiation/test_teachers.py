"""Teachers' accounts: invitation by e-mail or code, password reset by e-mail, and who sees which
game (own, co-facilitated; superusers do not see other teachers' games outside the admin).
Mail goes through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from negotiation import mail, services
from negotiation.models import TeacherInvitation
from tests.smtp import Inbox, smtp  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver(/\S+)")


@pytest.fixture
def admin_client(db):
    admin = get_user_model().objects.create_superuser(username="admin", password="pw-admin-123", email="a@school.test")
    client = Client()
    client.force_login(admin)
    return client


def _links(inbox: Inbox, to: str) -> list[str]:
    return [path for m in inbox.to(to) for path in LINK.findall(Inbox.body(m))]


def test_an_administrator_invites_a_teacher_by_email_who_opens_a_staff_account(admin_client, smtp):
    response = admin_client.post("/accounts/teachers/", {"email": "ines@school.test"})
    assert response.status_code == 200
    assert smtp.to("ines@school.test") == []  # queued, not sent in the request
    assert mail.process() == 1
    [message] = smtp.to("ines@school.test")
    assert "teacher" in message["Subject"].lower()
    [path] = _links(smtp, "ines@school.test")
    teacher = Client()
    assert teacher.get(path).status_code == 200
    response = teacher.post(path, {"username": "ines", "email": "ines@school.test",
                                   "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"})
    assert response.status_code == 302 and response["Location"] == "/facilitate/"
    user = get_user_model().objects.get(username="ines")
    assert user.is_staff and not user.is_superuser
    assert teacher.get("/facilitate/").status_code == 200
    # The invitation is used up.
    assert Client().get(path).status_code == 404
    assert Client().login(username="ines", password="a-long-pass-phrase-9")


def test_a_handed_out_code_leads_to_the_same_form(admin_client):
    admin_client.post("/accounts/teachers/", {"email": ""})
    invitation = TeacherInvitation.objects.get()
    teacher = Client()
    assert teacher.post("/accounts/invite/", {"code": "WRONGCODE1"}).status_code == 422
    response = teacher.post("/accounts/invite/", {"code": invitation.code.lower()})
    assert response.status_code == 302 and response["Location"] == f"/accounts/invite/{invitation.token}/"
    response = teacher.post(response["Location"], {"username": "tom", "password1": "x", "password2": "x"})
    assert response.status_code == 422  # too short a password: said on the form, nothing created
    assert not get_user_model().objects.filter(username="tom").exists()


def test_only_an_administrator_invites(facilitator):
    client = Client()
    client.force_login(facilitator)
    assert client.get("/accounts/teachers/").status_code == 403
    assert client.post("/accounts/teachers/", {"email": "x@y.test"}).status_code == 403
    assert not TeacherInvitation.objects.exists()


def test_password_reset_by_email(facilitator, smtp):
    facilitator.email = "teacher@school.test"
    facilitator.save()
    response = Client().post("/accounts/password-reset/", {"email": "teacher@school.test"})
    assert response.status_code == 302
    Client().post("/accounts/password-reset/", {"email": "nobody@school.test"})
    assert mail.process() == 1
    [path] = _links(smtp, "teacher@school.test")
    client = Client()
    form = client.get(path, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "brand-new-secret-77",
                                                    "new_password2": "brand-new-secret-77"})
    assert done.status_code == 302
    assert Client().login(username="teacher", password="brand-new-secret-77")


def test_a_teacher_sees_own_and_co_facilitated_games_only(facilitator, other_facilitator, game):
    third = get_user_model().objects.create_user(username="third", password="pw-third-123", is_staff=True)
    root = get_user_model().objects.create_superuser(username="root", password="pw-root-123")
    services.game_create(facilitator=other_facilitator, scenario_slug="meridian-sea", title="Theirs",
                                  mode="expected")
    clients = {}
    for user in (facilitator, other_facilitator, third, root):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    console = f"/facilitate/{game.pk}/"
    assert clients["teacher"].get(console).status_code == 200
    for name in ("other", "third", "root"):
        assert clients[name].get(console).status_code == 404, name
    # The owner adds a co-facilitator (by user name or e-mail); a co-facilitator cannot add others.
    response = clients["teacher"].post(f"/facilitate/{game.pk}/co-facilitators/", {"identifier": "other"})
    assert response.status_code == 200 and b"other" in response.content
    assert clients["other"].get(console).status_code == 200
    assert clients["other"].post(f"/facilitate/{game.pk}/co-facilitators/", {"identifier": "third"}).status_code == 422
    assert clients["third"].get(console).status_code == 404
    dashboard = clients["other"].get("/facilitate/").content.decode()
    assert "Class 3B" in dashboard and "Theirs" in dashboard
    assert "Class 3B" not in clients["third"].get("/facilitate/").content.decode()
    assert "Class 3B" not in clients["root"].get("/facilitate/").content.decode()
    # Removed, they lose access again.
    clients["teacher"].post(f"/facilitate/{game.pk}/co-facilitators/", {"remove": str(other_facilitator.pk)})
    assert clients["other"].get(console).status_code == 404


def test_an_account_without_the_facilitator_role_cannot_create_games(db):
    plain = get_user_model().objects.create_user(username="plain", password="pw-plain-123")
    client = Client()
    client.force_login(plain)
    assert client.get("/facilitate/").status_code == 403
    assert client.post("/facilitate/new/", {"scenario": "meridian-sea"}).status_code == 403
