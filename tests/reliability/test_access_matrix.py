"""Who may do what: every HTTP route and every WebSocket message type, for each kind of
visitor. Every cell of the matrix is asserted; a new route without a row fails the build."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from negotiation import mail, remote, services
from negotiation.models import Game, Member, MemberContact
from negotiation.selectors import SESSION_SEATS
from negotiation.services import teachers

pytestmark = pytest.mark.django_db
# co_fac: a teacher the game's facilitator added as co-facilitator; admin: a superuser (powers in the
# admin only); plain: a signed-in account without the facilitator role.
ROLES = ("anon", "player_a", "player_b", "observer", "fac", "other_fac", "co_fac", "admin", "plain")
COUNTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability-counts.json"


def record(name: str, value: int) -> None:
    """Counts for docs/reliability.md, written by the test run itself. pytest-xdist workers record at
    the same time (make test): one at a time, under a lock, and the file is replaced whole, so no
    count is lost and nobody reads a half-written file."""
    COUNTS.parent.mkdir(exist_ok=True)
    with open(COUNTS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(COUNTS.read_text()) if COUNTS.exists() else {}
        data[name] = value
        written = COUNTS.with_suffix(f".{os.getpid()}.tmp")
        written.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(written, COUNTS)


@pytest.fixture
def world():
    User = get_user_model()
    teacher = User.objects.create_user(username="teacher", password="pw-teacher-123", is_staff=True)
    other = User.objects.create_user(username="other", password="pw-other-123", is_staff=True)
    game = services.game_create(facilitator=teacher, scenario_slug="meridian-sea", title="Matrix", mode="expected")
    services.game_start(game_id=game.pk, actor="t")
    a = services.seat_claim(game_id=game.pk, state_id="aurel", display_name="Ana")
    b = services.seat_claim(game_id=game.pk, state_id="borun", display_name="Bo")
    MemberContact.objects.create(member=a, email="ana@home.test")
    services.proposal_create(
        game_id=game.pk, viewer=_viewer(a), kind="treaty", title="Cap", parties=["borun"],
        template="OFFENSE_CAP", clauses={"caps": {"MRBM": 20}}, text="")
    clients = {"anon": Client(), "observer": Client()}
    for role, member in (("player_a", a), ("player_b", b)):
        client = Client()
        session = client.session
        session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
        session.save()
        clients[role] = client
    clients["fac"] = Client()
    clients["fac"].force_login(teacher)
    clients["other_fac"] = Client()
    clients["other_fac"].force_login(other)
    co = User.objects.create_user(username="assistant", password="pw-assistant-123", is_staff=True)
    teachers.co_facilitator_add(game_id=game.pk, by=teacher, identifier="assistant")
    admin = User.objects.create_superuser(username="root", password="pw-root-123")
    plain = User.objects.create_user(username="plain", password="pw-plain-123")
    for role, user in (("co_fac", co), ("admin", admin), ("plain", plain)):
        clients[role] = Client()
        clients[role].force_login(user)
    return game, clients, a


def _viewer(member: Member):
    from negotiation.viewer import Role, Viewer

    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=True)


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


# Expected status per role:   anon player_a player_b observer fac other_fac co_fac admin plain
LOGIN = 302  # a facilitator page for someone not logged in: to the login page


def matrix(game: Game, seat_token: str) -> list[tuple[str, str, str, dict, dict[str, int]]]:
    g, code, key = game.pk, game.code, game.observer_key
    off = mail.opt_out_token(Member.objects.get(token=seat_token).pk, "digest")
    return [
        ("home", "get", "/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("join-lookup", "post", "/join/", {"code": code}, row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
        ("join", "get", f"/join/{code}/", {}, row(200, 302, 302, 200, 200, 200, 200, 200, 200)),
        ("room", "get", f"/play/{code}/", {}, row(302, 200, 200, 302, 302, 302, 302, 302, 302)),
        ("guide", "get", f"/play/{code}/guide/", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("projector", "get", f"/projector/{code}/?key={key}", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("projector-no-key", "get", f"/projector/{code}/", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("projector-stage", "get", f"/projector/{code}/stage/?key={key}", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("projector-stage-no-key", "get", f"/projector/{code}/stage/", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("rules", "get", "/rules/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("healthz", "get", "/healthz", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("chat-post", "post", f"/g/{g}/chat/", {"body": "hi", "channel": "plenary"}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("chat-post-bilateral", "post", f"/g/{g}/chat/", {"body": "hi", "channel": "bi:aurel:calla"},
         row(404, 200, 422, 404, 200, 404, 200, 404, 404)),
        ("chat-history", "get", f"/g/{g}/chat/history/?channel=plenary", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("chat-search", "get", f"/g/{g}/chat/search/?q=hi", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("channel-open", "post", f"/g/{g}/channels/open/", {"channel": "bi:aurel:borun"}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("channel-open-foreign", "post", f"/g/{g}/channels/open/", {"channel": "bi:calla:dresk"},
         row(404, 422, 422, 404, 200, 404, 200, 404, 404)),
        ("coalition-create", "post", f"/g/{g}/coalitions/", {"title": "C", "invite": "calla"}, row(404, 200, 200, 404, 422, 404, 422, 404, 404)),
        ("coalition-respond", "post", f"/g/{g}/coalitions/respond/", {"channel": "co:9", "accept": "1"},
         row(404, 422, 422, 404, 422, 404, 422, 404, 404)),
        ("order-add", "post", f"/g/{g}/orders/add/", {"type": "BUY_INTERCEPTORS", "itype": "TERMINAL", "qty": "1"},
         row(404, 200, 200, 404, 404, 404, 404, 404, 404)),
        # A stale order list (another window changed it) is a conflict: StaleVersion declares 409.
        ("order-remove", "post", f"/g/{g}/orders/remove/", {"index": "5", "revision": "0"}, row(404, 409, 409, 404, 404, 404, 404, 404, 404)),
        ("order-compose", "get", f"/g/{g}/orders/compose/?type=BUILD&class=SRBM&qty=1", {},
         row(404, 200, 200, 404, 404, 404, 404, 404, 404)),
        ("ready", "post", f"/g/{g}/ready/", {"ready": "0"}, row(404, 200, 200, 404, 404, 404, 404, 404, 404)),
        ("proposal-create", "post", f"/g/{g}/proposals/", {"kind": "treaty", "title": "T", "template": "OFFENSE_CAP",
                                                            "parties": "calla", "cap__SRBM": "4"},
         row(404, 200, 200, 404, 422, 404, 422, 404, 404)),
        ("proposal-comment", "post", f"/g/{g}/proposals/act/", {"action": "comment", "number": "1", "body": "ok"},
         row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("proposal-what-if", "get", f"/g/{g}/proposals/what-if/?number=1", {}, row(404, 200, 200, 404, 404, 404, 404, 404, 404)),
        ("dashboard", "get", "/facilitate/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 200, 200, 200, 403)),
        ("plan-preview", "get", "/facilitate/plan/?class_minutes=45&scenario=meridian-sea", {},
         row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 200, 200, 200, 403)),
        ("console", "get", f"/facilitate/{g}/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 200, 404, 404)),
        ("join-sheet", "get", f"/facilitate/{g}/join-sheet/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 200, 404, 404)),
        ("game-start", "post", f"/facilitate/{g}/start/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 422, 404, 422, 404, 404)),
        ("phase-advance", "post", f"/facilitate/{g}/advance/", {"phase": "orders", "turn": "7"},
         row(LOGIN, LOGIN, LOGIN, LOGIN, 409, 404, 409, 404, 404)),
        ("game-pause", "post", f"/facilitate/{g}/pause/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 200, 404, 404)),
        ("deadline-extend", "post", f"/facilitate/{g}/extend/", {"minutes": "99"}, row(LOGIN, LOGIN, LOGIN, LOGIN, 422, 404, 422, 404, 404)),
        ("phase-rollback", "post", f"/facilitate/{g}/rollback/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 422, 404, 422, 404, 404)),
        ("seat-action", "post", f"/facilitate/{g}/seats/", {"action": "nothing"}, row(LOGIN, LOGIN, LOGIN, LOGIN, 422, 404, 422, 404, 404)),
        ("inject-preview", "post", f"/facilitate/{g}/inject/preview/", {"title": "t", "text": "x"},
         row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 200, 404, 404)),
        ("inject-cancel", "post", f"/facilitate/{g}/inject/cancel/", {"inject_id": "999"},
         row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 200, 404, 404)),
        ("seat-switch", "post", f"/g/{g}/switch/", {"member_id": "0"}, row(404, 404, 404, 404, 404, 404, 404, 404, 404)),
        ("inject-send", "post", f"/facilitate/{g}/inject/", {"title": "", "text": ""}, row(LOGIN, LOGIN, LOGIN, LOGIN, 422, 404, 422, 404, 404)),
        ("game-end", "post", f"/facilitate/{g}/end/", {"reason": "done"}, row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 200, 404, 404)),
        ("game-new", "post", "/facilitate/new/", {"scenario": "atlantis"}, row(LOGIN, LOGIN, LOGIN, LOGIN, 422, 422, 422, 422, 403)),
        ("co-facilitators", "post", f"/facilitate/{g}/co-facilitators/", {"identifier": "assistant"},
         row(LOGIN, LOGIN, LOGIN, LOGIN, 200, 404, 422, 404, 404)),
        ("calendar", "get", f"/play/{code}/calendar.ics", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        # The signed calendar link (for calendar apps, which have no session) reveals deadlines only.
        ("calendar-key", "get", f"/play/{code}/calendar.ics?key={remote.calendar_key(game)}", {},
         row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("calendar-bad", "get", f"/play/{code}/calendar.ics?key=forged", {}, row(404, 200, 200, 404, 200, 404, 200, 404, 404)),
        ("reflections", "get", f"/g/{g}/reflections/", {}, row(404, 200, 200, 404, 404, 404, 404, 404, 404)),
        ("console-reflections", "get", f"/facilitate/{g}/reflections/", {}, row(404, 404, 404, 404, 200, 404, 200, 404, 404)),
        ("participation", "get", f"/review/{g}/participation/", {}, row(404, 403, 403, 404, 200, 404, 200, 404, 404)),
        ("my-games", "get", "/my-games/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        # The opt-out link is its own proof (mail clients follow it without a session).
        ("mail-off", "get", f"/mail/off/{off}/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("mail-off-bad", "get", "/mail/off/forged/", {}, row(404, 404, 404, 404, 404, 404, 404, 404, 404)),
        # Teachers' accounts (outside the game's namespace): only an administrator invites.
        ("teachers", "get", "/accounts/teachers/", {}, row(LOGIN, LOGIN, LOGIN, LOGIN, 403, 403, 403, 200, 403)),
        ("invite-code", "get", "/accounts/invite/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("invite-accept-bad", "get", "/accounts/invite/forged/", {}, row(404, 404, 404, 404, 404, 404, 404, 404, 404)),
        ("password-reset", "get", "/accounts/password-reset/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("seat-link", "get", f"/seat/{seat_token}/", {}, row(200, 200, 200, 200, 200, 200, 200, 200, 200)),
        ("seat-link-take", "post", f"/seat/{seat_token}/", {}, row(302, 302, 302, 302, 302, 302, 302, 302, 302)),
        ("seat-link-bad", "get", "/seat/not-a-token/", {}, row(404, 404, 404, 404, 404, 404, 404, 404, 404)),
        # Anyone may start a practice game; the sixth from one address within a minute is rate limited.
        ("tutorial", "post", "/tutorial/", {"name": "Pat"}, row(302, 302, 302, 302, 302, 429, 429, 429, 429)),
    ]


def _routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace + ':' if p.namespace else ''}")
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{prefix}{p.name}")

    walk(get_resolver().url_patterns)
    return {n for n in names if n.startswith("negotiation:")}


def test_every_route_of_the_game_has_a_row_in_the_matrix(world):
    game, _, a = world
    covered = {name.split("-no-key")[0].split("-bilateral")[0].split("-foreign")[0].split("-bad")[0].split("-take")[0].split("-key")[0]
               for name, *_ in matrix(game, a.token)}
    covered |= {"proposal-act"}  # the comment row exercises proposal-act
    missing = {r.removeprefix("negotiation:") for r in _routes()} - covered - {"proposal-comment"}
    assert missing == set()


def test_the_access_matrix(world, settings):
    # Every client here shares one address; the join-guess limit has its own test.
    settings.TREATYCRAFT = {**settings.TREATYCRAFT, "JOIN_ATTEMPTS_PER_MINUTE": 1000}
    game, clients, a = world
    failures = []
    # The rate-limited rows (tutorial, join) expect the limit to bite after N attempts; rate limits
    # count per wall-clock minute, so the clock stands still while the matrix runs (on a loaded
    # machine the 1,000-odd requests can straddle a minute boundary and reset the count).
    with time_machine.travel(timezone.now(), tick=False):
        rows = list(matrix(game, a.token))
        _run_rows(rows, clients, failures)
    cells = len(rows) * len(ROLES)
    assert failures == []
    record("access_matrix_http_cells", cells)


def _run_rows(rows, clients, failures):
    for name, method, path, data, expected in rows:
        for role in ROLES:
            client = clients[role]
            response = getattr(client, method)(path, data, HTTP_HX_REQUEST="true") if method == "post" \
                else client.get(path)
            if response.status_code != expected[role]:
                failures.append(f"{name} as {role}: {response.status_code}, expected {expected[role]}")
            assert response.status_code != 500


PROPOSAL_ACTIONS = (
    {"action": "comment", "number": "1", "body": "observer was here"},
    {"action": "amend", "number": "1", "version": "1", "cap__MRBM": "5", "text": "observer terms"},
    {"action": "sign", "number": "1", "version": "1"},
    {"action": "unsign", "number": "1"},
    {"action": "withdraw", "number": "1"},
)


def _written(game: Game) -> dict[str, int]:
    from negotiation.models import (
        GameEvent,
        Message,
        OrderSubmission,
        Proposal,
        ProposalComment,
        ProposalVersion,
        Signature,
    )

    game.refresh_from_db()
    return {
        "events": GameEvent.objects.filter(game=game).count(),
        "messages": Message.objects.filter(game=game).count(),
        "orders": OrderSubmission.objects.filter(seat__game=game).count(),
        "proposals": Proposal.objects.filter(game=game, status=Proposal.Status.OPEN).count(),
        "versions": ProposalVersion.objects.filter(proposal__game=game).count(),
        "comments": ProposalComment.objects.filter(proposal__game=game).count(),
        "signatures": Signature.objects.filter(proposal__game=game).count(),
        "phase": hash((game.phase, game.turn, game.paused_at if hasattr(game, "paused_at") else None)),
    }


def test_the_observer_link_writes_nothing_through_any_route(world):
    """The observer × every write route: the projector's link (``?key=``) reads, it never writes,
    whoever holds it (it is shown on a projector to a whole room)."""
    game, _, a = world
    key = game.observer_key
    before = _written(game)
    cells = 0
    failures = []
    writes = [(name, path, data) for name, method, path, data, _ in matrix(game, a.token)
              if method == "post" and not path.startswith(("/join", "/seat/", "/tutorial"))]
    writes += [(f"proposal-{d['action']}", f"/g/{game.pk}/proposals/act/", d) for d in PROPOSAL_ACTIONS]
    for name, path, data in writes:
        client = Client()
        response = client.post(f"{path}?key={key}", data, HTTP_HX_REQUEST="true")
        cells += 1
        if response.status_code not in (302, 403, 404, 422):
            failures.append(f"{name} with the observer key: {response.status_code}")
    assert failures == []
    assert _written(game) == before
    record("access_matrix_observer_write_cells", cells)
