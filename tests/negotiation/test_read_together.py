"""The rows a render reads together in one statement (selectors.read_together, issue #17 fourth
pass) are the rows its selectors read one set at a time: the same instances field by field, in the
same order, with the same deferred columns; and the orders read for a page's claimed member reach
only a viewer of that member's seat. The suite runs on SQLite; the same statement runs on
PostgreSQL (bench/bench_pages.py, and this module with DATABASE_URL set)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from negotiation import engine_views, rendering, selectors, services
from negotiation.models import Game, Inject, Member, Message
from negotiation.selectors import chat as chat_selectors
from negotiation.selectors import common
from negotiation.selectors import game as game_selectors
from negotiation.selectors.chat import _channel_candidates
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client

CAP = {"caps": {"SRBM": 4}}


def _player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id, state_id=member.seat.state_id,
                  label=member.name, member_id=member.pk, is_captain=member.is_captain)


def _fields(obj: Model | None) -> dict[str, Any] | None:
    """What an instance holds: its loaded columns with their types (a deferred one is absent)."""
    if obj is None:
        return None
    return {k: (type(v), v) for k, v in obj.__dict__.items() if not k.startswith("_")}


def _reads(game: Game, viewer: Viewer) -> dict[str, Any]:
    """Every shared set as the selectors give it, for one viewer."""
    members = common.members_of(game)
    return {
        "seats": [_fields(s) for s in game_selectors._seats(game)],
        "members": [(_fields(m), _fields(m.seat)) for m in members],
        "record": _fields(game_selectors._last_record(game)),
        "submission": _fields(game_selectors._submission(game, viewer.seat_id)) if viewer.seat_id else None,
        "channels": [_fields(c) for c in _channel_candidates(game, viewer) if c.pk],
        "proposals": [(_fields(b.proposal), [_fields(v) for v in b.versions], [_fields(s) for s in b.signatures],
                       [_fields(c) for c in b.comments]) for b in common.proposal_rows(game)],
        "news": (game_selectors.news_rows(game, viewer), game_selectors.news_rows(game, None)),
    }


def _one_by_one(game_id: int, viewer: Viewer) -> dict[str, Any]:
    game = Game.objects.get(pk=game_id)
    selectors.share_reads(game)
    return _reads(game, viewer)


def _together(game_id: int, viewer: Viewer, **who: int) -> tuple[dict[str, Any], int]:
    game = Game.objects.get(pk=game_id)
    selectors.share_reads(game)
    with CaptureQueriesContext(connection) as ctx:
        selectors.read_together(game, selectors.ROOM_SETS, **who)
        reads = _reads(game, viewer)
    return reads, len(ctx.captured_queries)


@pytest.fixture
def busy_game(started_game):
    """A game with something in every set: team members (one removed), a resolved turn, news for
    one state and for all, pending news, a coalition channel, proposals with versions, signatures
    and comments, queued orders."""
    Game.objects.filter(pk=started_game.pk).update(allow_teams=True)
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    _, cy = seat_client(started_game, "calla", "Cy")
    _, mate = seat_client(started_game, "aurel", "Mate", team=True)
    services.member_remove(game_id=started_game.pk, member_id=mate.pk, actor="test")
    _, mate2 = seat_client(started_game, "aurel", "Mate2", team=True)
    resolve(started_game)
    for seq, audience, pending in ((901, None, False), (902, ["aurel"], False), (903, ["borun"], False),
                                   (904, None, True)):
        Inject.objects.create(game=started_game, seq=seq, turn=1, title=f"News {seq}", text="Text", audience=audience,
                              source="test", pending=pending)
    services.coalition_create(game_id=started_game.pk, viewer=_player(ana), title="North", invite=["borun"])
    first = services.proposal_create(game_id=started_game.pk, viewer=_player(ana), kind="treaty", title="Cap",
                                     parties=["borun"], template="OFFENSE_CAP", clauses=CAP, text="Let us cap")
    services.proposal_amend(game_id=started_game.pk, viewer=_player(bo), number=first.number, expected_version=1,
                            clauses={"caps": {"SRBM": 3}}, text="Lower", note="why not")
    services.proposal_sign(game_id=started_game.pk, viewer=_player(ana), number=first.number, expected_version=2)
    services.proposal_comment(game_id=started_game.pk, viewer=_player(bo), number=first.number, body="Fine")
    services.proposal_comment(game_id=started_game.pk, viewer=_player(ana), number=first.number, body="Good")
    services.proposal_create(game_id=started_game.pk, viewer=_player(bo), kind="treaty", title="Other",
                             parties=["calla"], template="OFFENSE_CAP", clauses=CAP, text="")
    services.order_add(game_id=started_game.pk, seat_id=ana.seat_id, member_id=ana.pk,
                       raw={"type": "BUILD", "class": "SRBM", "qty": "1"}, client_token="t-1")
    return started_game, {"ana": ana, "bo": bo, "cy": cy, "mate2": mate2}


@pytest.mark.django_db
def test_the_rows_read_together_are_the_rows_each_selector_reads(busy_game):
    game, people = busy_game
    for name in ("ana", "bo", "cy", "mate2"):
        viewer = _player(people[name])
        expected = _one_by_one(game.pk, viewer)
        assert expected["proposals"] and expected["record"] and len(expected["members"]) >= 5
        got, statements = _together(game.pk, viewer, seat_id=people[name].seat_id)
        assert got == expected, name
        assert statements == 1, "every set came from the one statement"
    facilitator = Viewer(role=Role.FACILITATOR, game_id=game.pk, label="Facilitator")
    got, _ = _together(game.pk, facilitator)
    assert got == _one_by_one(game.pk, facilitator)


@pytest.mark.django_db
def test_the_orders_read_for_a_claimed_member_go_only_to_a_viewer_of_that_seat(busy_game):
    game, people = busy_game
    ana, bo = people["ana"], people["bo"]
    g = Game.objects.get(pk=game.pk)
    selectors.share_reads(g)
    selectors.read_together(g, selectors.ROOM_SETS, member_id=ana.pk)  # Ana's session, not yet checked
    with CaptureQueriesContext(connection) as ctx:
        assert len(selectors.private_view(g, _player(ana)).orders) == 1
    assert len(ctx.captured_queries) == 0, "Ana's orders came with the page's statement"
    assert selectors.private_view(g, _player(bo)).orders == [], "another seat reads its own"
    # a member of no seat in this game: nothing is kept for anyone
    g = Game.objects.get(pk=game.pk)
    selectors.share_reads(g)
    selectors.read_together(g, selectors.ROOM_SETS, member_id=10**9)
    assert not [k for k in g.__dict__["_shared_reads"] if k[0] == selectors.SUBMISSION]


@pytest.mark.django_db
def test_read_together_needs_a_render_that_shares_its_reads(started_game):
    with pytest.raises(ValueError, match="share_reads"):
        selectors.read_together(Game.objects.get(pk=started_game.pk))


@pytest.mark.django_db
def test_the_page_and_the_resync_show_what_the_rows_say(busy_game):
    game, people = busy_game
    client, _ = seat_client(game, "dresk", "Di")
    ana = people["ana"]
    html = rendering.resync_html(game.pk, _player(ana))
    assert "News 902" in html and "News 901" in html and "News 903" not in html and "News 904" not in html
    assert "P1" in html and "Fine" in html and "why not" in html and "North" in html
    page = client.get(reverse("negotiation:room", args=[game.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "News 901" in body and "News 902" not in body and "P1 · Cap" not in body  # Di is party to nothing


@pytest.mark.django_db
def test_a_chat_page_read_in_plain_sql_is_what_the_message_rows_say(started_game):
    """The chat pane's page (selectors.channel_page) reads its columns in one plain statement: the
    same rows, words (a bot's intent in the reader's language), times and order as chat_row of the
    Message instances, with and without ``before_seq``."""
    _, ana = seat_client(started_game, "aurel", "Ana")
    for i in range(7):
        services.message_post(game_id=started_game.pk, viewer=_player(ana), body=f"Line {i}")
    Message.objects.create(game=started_game, seq=9001, channel="plenary", author_label="Borun (bot)", body="raw",
                           intent={"id": "sign", "params": {"template": "OFFENSE_CAP"}})
    Message.objects.create(game=started_game, seq=9002, channel="plenary", author_label="Calla (bot)", body="plain",
                           intent={})
    Message.objects.create(game=started_game, seq=9003, channel="fac:aurel", author_label="Facilitator", body="aside")
    game = Game.objects.get(pk=started_game.pk)
    ordered = Message.objects.filter(game=game, channel="plenary").order_by("-seq")
    for before, size in ((None, 50), (None, 3), (9002, 4)):
        expected = list(ordered.filter(seq__lt=before) if before else ordered)[:size]
        expected.reverse()
        with translation.override("es"):
            got = chat_selectors._page(game.pk, "plenary", before, size)
            assert got == [selectors.chat_row(m) for m in expected]
    assert all(row.created_at.tzinfo is not None for row in got)
    assert got[-1].author == "Borun (bot)" and got[-1].body not in ("raw", "")  # the intent, in words


@pytest.mark.django_db
def test_the_game_row_read_for_a_render_is_the_orms_row_with_its_facilitator(busy_game):
    """engine_views.game_for_render reads the game (without its snapshot) and its facilitator in one
    plain statement: every column as the ORM reads it, by id and by code, and None for no game."""
    game, _ = busy_game
    Game.objects.filter(pk=game.pk).update(paused_remaining=3, reminder_hours=2, press={"negotiation": "open"})
    orm = Game.objects.select_related("facilitator").defer("state").get(pk=game.pk)
    for lookup in ({"pk": game.pk}, {"code": game.code}):
        for _ in range(2):  # the second read knows the snapshot's digest and leaves the snapshot out
            row = engine_views.game_for_render(**lookup)
            assert row is not None
            fields = _fields(row)
            assert fields is not None
            fields.pop("state_digest")
            assert fields == _fields(orm)
            assert _fields(row.facilitator) == _fields(orm.facilitator)
            assert engine_views.state(row).turn == orm.turn
    assert engine_views.game_for_render(pk=game.pk + 999) is None
    assert engine_views.game_for_render(code="NOSUCH") is None
