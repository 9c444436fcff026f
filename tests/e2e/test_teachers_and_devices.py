"""Teachers' accounts and players across devices, in a browser: an administrator invites a teacher
by e-mail; the teacher opens the account from the mailed link and creates a game; a second teacher
cannot open it, a co-facilitator can; a student who gave an e-mail when joining signs in from a
second browser with the mailed link and lands in their seat. Mail goes through a real SMTP server
(aiosmtpd); the outbox is sent by the clock's mail step, run here by the test."""

from __future__ import annotations

import re
import time

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import override_settings
from playwright.sync_api import expect

from negotiation import mail
from tests.e2e.browser import BrowserTestCase
from tests.smtp import Inbox, _free_port

pytestmark = pytest.mark.browser


class TeachersAndDevicesTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=_free_port())
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        mail_settings = override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                                          EMAIL_HOST="127.0.0.1", EMAIL_PORT=self.smtp.port, EMAIL_USE_TLS=False,
                                          EMAIL_USE_SSL=False)
        mail_settings.enable()
        self.addCleanup(mail_settings.disable)

    def mailed_link(self, to: str, pattern: str) -> str:
        """Run the clock's mail step until a mail to `to` with a link matching `pattern` arrives."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.off_loop(mail.process)
            for message in self.inbox.to(to):
                found = re.search(rf"https?://\S+?({pattern})", Inbox.body(message))
                if found:
                    return self.url(found.group(1))
            time.sleep(0.2)
        raise AssertionError(f"no mail to {to} with {pattern}")

    def test_invited_teacher_co_facilitator_and_a_student_on_a_second_device(self):
        user_model = get_user_model()
        user_model.objects.create_superuser(username="admin", password="pw-admin-123", email="admin@school.test")
        user_model.objects.create_user(username="other", password="pw-other-123", is_staff=True)
        user_model.objects.create_user(username="assistant", password="pw-assistant-123", is_staff=True,
                                       email="ta@school.test")

        # The administrator invites Ines by e-mail.
        admin = self.facilitator_page("/accounts/teachers/", "admin", "pw-admin-123")
        admin.get_by_test_id("invite-email").fill("ines@school.test")
        admin.get_by_test_id("invite-send").click()
        expect(admin.get_by_test_id("invite-notice")).to_contain_text("ines@school.test")
        self.snapshot(admin, "teachers-invite")
        link = self.mailed_link("ines@school.test", r"/accounts/invite/[\w-]+/")

        # Ines opens her account from the link and creates a game that runs over days.
        ines = self.new_page()
        ines.goto(link)
        ines.get_by_label("Username").fill("ines")
        ines.get_by_label("Password:", exact=True).fill("a-long-pass-phrase-9")
        ines.get_by_label("Password confirmation:").fill("a-long-pass-phrase-9")
        ines.get_by_test_id("invite-accept-submit").click()
        expect(ines).to_have_url(re.compile(r"/facilitate/$"))
        ines.get_by_label("Timing").select_option("custom")
        ines.get_by_test_id("len-negotiation").fill("2")
        ines.get_by_test_id("unit-negotiation").select_option("days")
        ines.get_by_test_id("len-orders").fill("12")
        ines.get_by_test_id("unit-orders").select_option("hours")
        ines.get_by_test_id("reminder-hours").select_option("6")
        ines.get_by_test_id("create-game").click()
        code = ines.get_by_test_id("join-code").inner_text().strip()
        console = ines.url

        # Another teacher cannot open it; Ines adds her teaching assistant, who can.
        other = self.facilitator_page("/facilitate/", "other", "pw-other-123")
        assert other.goto(console).status == 404
        ines.locator("#panel-team > summary").click()  # the console's co-facilitators panel
        ines.get_by_test_id("co-identifier").fill("ta@school.test")
        ines.get_by_test_id("co-add").click()
        expect(ines.get_by_test_id("co-facilitators")).to_contain_text("assistant")
        assistant = self.facilitator_page("/facilitate/", "assistant", "pw-assistant-123")
        expect(assistant.locator("main")).to_contain_text(code)  # listed among the assistant's games
        other.goto(self.url("/facilitate/"))
        expect(other.locator("main")).not_to_contain_text(code)
        assert assistant.goto(console).status == 200
        expect(assistant.get_by_test_id("join-code")).to_have_text(code)
        ines.get_by_test_id("start-game").click()

        # A student joins with an e-mail address on a laptop ...
        laptop = self.new_page()
        laptop.goto(self.url(f"/join/{code}/"))
        laptop.get_by_label("Your name").fill("Ana")
        laptop.get_by_test_id("join-email").fill("ana@home.test")
        laptop.locator("input[name=state_id][value=aurel]").check()
        laptop.get_by_role("button", name="Take my seat").click()
        expect(laptop.locator("body")).to_have_attribute("data-ws", "open")
        expect(laptop.get_by_test_id("deadline-at")).to_be_visible()
        seat = self.mailed_link("ana@home.test", r"/seat/[\w-]+/")

        # ... and comes back from her phone, another browser, with the mailed link.
        phone_context = self.browser.new_context(viewport={"width": 390, "height": 844})
        phone = phone_context.new_page()
        phone.goto(seat)
        phone.get_by_test_id("take-seat").click()
        expect(phone).to_have_url(re.compile(rf"/play/{code}/$"))
        expect(phone.locator("body")).to_have_attribute("data-ws", "open")
        self.snapshot(phone, "seat-from-mailed-link-phone")
        expect(phone.locator("main")).to_contain_text("You are Ana playing Aurel")
        for page in (admin, ines, other, assistant, laptop):
            assert page.js_errors == []  # type: ignore[attr-defined]
