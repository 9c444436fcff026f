"""A Hypothesis state machine plays random games in which every private item carries a unique
marker, captures everything each participant receives over HTTP (pages, partials, histories,
search) and over the WebSocket (every push, delivered by the groups each socket joins), and fails
if a marker reaches anyone not entitled to it, if a participant who should see a marker cannot find
it in the pages and partials they load (so the check cannot pass by showing nobody anything), or if
any of those requests answers anything but 200."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from negotiation import broadcasts, selectors, services, sockets
from negotiation.errors import UserError
from negotiation.models import Member
from negotiation.selectors import SESSION_SEATS
from negotiation.viewer import Role, Viewer
from tests.reliability.test_access_matrix import record

STATES = ("aurel", "borun", "calla", "dresk")
FAC = "@facilitator"
OBS = "@observer"
EVERYONE = frozenset((*STATES, FAC, OBS))
counter = itertools.count(1)
TOTALS: dict[str, int] = defaultdict(int)


def marker(kind: str) -> str:
    return f"mk{kind}{next(counter):05d}x"


class HiddenInformation(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        User = get_user_model()
        n = next(counter)
        self.teacher = User.objects.create_user(username=f"t{n}", password="pw-teacher-123", is_staff=True)
        self.game = services.game_create(facilitator=self.teacher, scenario_slug="meridian-sea", title="H", mode="expected")
        services.game_start(game_id=self.game.pk, actor="t")
        self.members: dict[str, Member] = {}
        self.clients: dict[str, Client] = {}
        for sid in STATES:
            member = services.seat_claim(game_id=self.game.pk, state_id=sid, display_name=sid.title())
            client = Client()
            session = client.session
            session[SESSION_SEATS] = {str(self.game.pk): {"member": member.pk, "token": member.token}}
            session.save()
            self.members[sid], self.clients[sid] = member, client
        self.clients[FAC] = Client()
        self.clients[FAC].force_login(self.teacher)
        self.clients[OBS] = Client()
        self.markers: dict[str, frozenset[str]] = {}
        self.shown: dict[str, frozenset[str]] = {}
        self.memos: dict[str, tuple[str, str, int]] = {}
        self.pushes: list[tuple[str, str]] = []
        self.proposals: list[tuple[int, frozenset[str]]] = []
        self.coalitions: list[tuple[str, frozenset[str]]] = []
        self._patch()

    def _patch(self):
        original = broadcasts._send
        pushes = self.pushes

        def capture(group, message):
            if message.get("type") == "push.html":
                pushes.append((group, str(message["html"])))
            return original(group, message)

        broadcasts._send = capture
        self._original_send = original

    def teardown(self):
        """Check once the example has played out: pages show the whole history and pushes are
        kept, so a leak at any step is still visible at the end (and the check stays affordable)."""
        try:
            if hasattr(self, "game"):
                self.check_no_leak()
        finally:
            if hasattr(self, "_original_send"):
                broadcasts._send = self._original_send

    def viewer(self, sid: str) -> Viewer:
        m = self.members[sid]
        return Viewer(role=Role.PLAYER, game_id=self.game.pk, seat_id=m.seat_id, state_id=sid, label=m.name,
                      member_id=m.pk, is_captain=True)

    def note(self, text: str, entitled, shown=None) -> None:
        """`entitled` may see `text`; `shown` (default: the entitled and the facilitator) must find it
        in the pages and partials they load."""
        self.markers[text] = frozenset(entitled) | {FAC}
        self.shown[text] = frozenset(self.markers[text] if shown is None else shown)
        TOTALS["markers"] += 1

    def must_see(self, text: str) -> frozenset[str]:
        if text in self.memos:
            # the payer sees its pending order; the recipient reads the memo once the turn resolved
            payer, recipient, turn = self.memos[text]
            return frozenset({payer, recipient} if self.game.turn > turn else {payer})
        return self.shown[text]

    @rule(author=st.sampled_from(STATES), other=st.sampled_from(STATES), kind=st.sampled_from(["bi", "fac", "plenary"]))
    def message(self, author, other, kind):
        text = marker("m")
        if kind == "plenary":
            key, entitled = "plenary", EVERYONE
        elif kind == "fac":
            key, entitled = f"fac:{author}", {author}
        else:
            if other == author:
                return
            key, entitled = f"bi:{min(author, other)}:{max(author, other)}", {author, other}
        services.message_post(game_id=self.game.pk, viewer=self.viewer(author), body=text, channel=key)
        # the projector shows no chat: observers may read the plenary, the players must
        self.note(text, entitled, shown=(entitled - {OBS}) | {FAC})

    @rule(author=st.sampled_from(STATES), invited=st.sampled_from(STATES))
    def coalition(self, author, invited):
        if invited == author or len(self.coalitions) >= 3:
            return
        channel = services.coalition_create(game_id=self.game.pk, viewer=self.viewer(author), title="C",
                                            invite=[invited])
        services.coalition_respond(game_id=self.game.pk, viewer=self.viewer(invited), key=channel.key, accept=True)
        text = marker("c")
        services.message_post(game_id=self.game.pk, viewer=self.viewer(author), body=text, channel=channel.key)
        self.note(text, {author, invited})

    @rule(author=st.sampled_from(STATES), party=st.sampled_from(STATES))
    def proposal(self, author, party):
        if party == author:
            return
        title = marker("p")
        proposal = services.proposal_create(game_id=self.game.pk, viewer=self.viewer(author), kind="treaty",
                                            title=title, parties=[party], template="OFFENSE_CAP",
                                            clauses={"caps": {"SRBM": 40}}, text=marker("t"))
        entitled = {author, party}
        self.note(title, entitled)
        self.note(proposal.versions.get(version=1).text, entitled)
        comment = marker("k")
        services.proposal_comment(game_id=self.game.pk, viewer=self.viewer(party), number=proposal.number, body=comment)
        self.note(comment, entitled)

    @rule(state=st.sampled_from(STATES), to=st.sampled_from(STATES))
    def secret_order(self, state, to):
        if state == to:
            return
        memo = marker("o")
        m = self.members[state]
        try:
            services.order_add(game_id=self.game.pk, seat_id=m.seat_id, member_id=m.pk,
                               raw={"type": "PAYMENT", "to": to, "amount": 1, "memo": memo})
        except UserError:
            return
        # Orders are secret, but a payment's memo reaches its recipient when the turn resolves.
        self.note(memo, {state, to})
        self.game.refresh_from_db()
        self.memos[memo] = (state, to, self.game.turn)

    @rule(addressee=st.sampled_from(STATES))
    def inject(self, addressee):
        text = marker("i")
        services.inject_send(game_id=self.game.pk, actor="facilitator:t", title="News", text=text,
                             targets=[addressee])
        # the console lists the inject it sent by its title; its text is the addressee's news
        self.note(text, {addressee}, shown={addressee})

    @rule()
    def advance(self):
        self.game.refresh_from_db()
        if self.game.turn >= 3:
            return
        services.phase_advance(game_id=self.game.pk, expected_phase=self.game.phase, expected_turn=self.game.turn,
                               actor="t")

    def received(self, who: str) -> tuple[str, str]:
        """Everything `who` gets: pages and partials over HTTP, and the pushes to their sockets."""
        self.game.refresh_from_db()
        client = self.clients[who]

        def fetch(path: str, data: dict[str, str] | None = None) -> str:
            response = client.get(path, data or {})
            # a 403 or 404 shows no marker at all: the leak check must never pass that way
            assert response.status_code == 200, f"{who}: GET {path} {data or ''} answered {response.status_code}"
            TOTALS["http_fetches"] += 1
            return response.content.decode()

        parts = []
        if who == FAC:
            parts.append(fetch(f"/facilitate/{self.game.pk}/"))
            viewer = Viewer(role=Role.FACILITATOR, game_id=self.game.pk, user_id=self.teacher.pk)
        elif who == OBS:
            parts.append(fetch(f"/projector/{self.game.code}/", {"key": self.game.observer_key}))
            viewer = Viewer(role=Role.OBSERVER, game_id=self.game.pk)
        else:
            parts.append(fetch(f"/play/{self.game.code}/"))
            viewer = self.viewer(who)
        if who != OBS:
            for row in selectors.channel_rows(self.game, viewer):
                parts.append(fetch(f"/g/{self.game.pk}/chat/history/", {"channel": row.key}))
            parts.append(fetch(f"/g/{self.game.pk}/chat/search/", {"q": "mk"}))
        groups = set(sockets.groups_for(viewer))
        return "".join(parts), "".join(html for group, html in self.pushes if group in groups)

    def check_no_leak(self):
        for who in (*STATES, FAC, OBS):
            http, pushed = self.received(who)
            for text, entitled in self.markers.items():
                TOTALS["checks"] += 1
                if who not in entitled:
                    assert text not in http + pushed, f"{text} leaked to {who}"
                elif who in self.must_see(text):
                    # over HTTP: what a page shows after a reconnect, whatever the pushes carried
                    assert text in http, f"{text} is hidden from {who}, who is entitled to it"
                    TOTALS["entitled_seen"] += 1
        TOTALS["pushes"] = max(TOTALS["pushes"], len(self.pushes))


@pytest.mark.django_db(transaction=True)
def test_no_private_marker_ever_reaches_someone_not_entitled():
    HiddenInformation.TestCase.settings = settings(
        max_examples=12, stateful_step_count=12, deadline=None, derandomize=True,
        # No shrinking: a leak fails at once with the steps printed, instead of minutes of search.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    run_state_machine_as_test(HiddenInformation, settings=HiddenInformation.TestCase.settings)
    record("hidden_info_markers", TOTALS["markers"])
    record("hidden_info_marker_checks", TOTALS["checks"])
    record("hidden_info_http_fetches", TOTALS["http_fetches"])
    record("hidden_info_entitled_seen", TOTALS["entitled_seen"])
    # not vacuous: every example checked markers that their readers did find
    assert TOTALS["entitled_seen"] > 0 and TOTALS["http_fetches"] > 0
