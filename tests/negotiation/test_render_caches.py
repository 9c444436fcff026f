"""The caches a render reads through (issue #17, second pass) can never serve a stale or another
viewer's result: the parsed engine snapshot is keyed by the game and its content's digest, and
nothing that renders from it changes it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

import game_engine
from negotiation import engine_views, rendering, selectors, services
from negotiation.models import Game, Member, Seat
from negotiation.seat_session import SESSION_SEATS
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client


def _player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id, state_id=member.seat.state_id,
                  label=member.name, member_id=member.pk, is_captain=member.is_captain)


def _render_game(game_id: int) -> Game:
    game = engine_views.game_for_render(pk=game_id)
    assert game is not None
    return game


@pytest.mark.django_db
def test_a_render_reads_the_snapshot_once_per_content_and_follows_every_write(started_game):
    first = _render_game(started_game.pk)
    parsed = engine_views.state(first)
    again = _render_game(started_game.pk)
    assert "state" not in again.__dict__, "a known snapshot is not read again"
    assert engine_views.state(again) is parsed
    turn = parsed.turn
    resolve(started_game)  # a service writes a new snapshot
    after = _render_game(started_game.pk)
    assert engine_views.state(after) is not parsed
    assert engine_views.state(after).turn == turn + 1
    fresh = game_engine.state_from_json(Game.objects.get(pk=started_game.pk).state)
    assert game_engine.state_to_json(engine_views.state(after)) == game_engine.state_to_json(fresh)
    # a row changed behind the process's back (no service, no signal) is still seen: the key is the content
    Game.objects.filter(pk=started_game.pk).update(state=Game.objects.get(pk=started_game.pk).state | {"turn": 99})
    assert engine_views.state(_render_game(started_game.pk)).turn == 99


@pytest.mark.django_db
def test_no_render_changes_the_shared_snapshot(started_game, fac_client):
    client, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    resolve(started_game)
    stored = Game.objects.get(pk=started_game.pk).state
    assert client.get(reverse("negotiation:room", args=[started_game.code])).status_code == 200
    assert fac_client.get(reverse("negotiation:console", args=[started_game.pk])).status_code == 200
    for viewer in (_player(ana), _player(bo), Viewer(role=Role.OBSERVER, game_id=started_game.pk, label="Observer")):
        rendering.resync_html(started_game.pk, viewer)
        rendering.private_fragments_html(started_game.pk, viewer, rendering.PRIVATE_FRAGMENTS)
    rendering.public_fragments_html(started_game.pk, rendering.PUBLIC_FRAGMENTS)
    shared = engine_views.state(_render_game(started_game.pk))
    assert game_engine.state_to_json(shared) == game_engine.state_to_json(game_engine.state_from_json(stored))


@pytest.mark.django_db
def test_the_page_finds_its_viewer_among_the_members_it_reads_and_only_with_a_live_token(started_game):
    """The room page resolves its player from the members its render reads (one statement fewer):
    the same checks as the direct read, the member's own token, not removed."""
    url = reverse("negotiation:room", args=[started_game.code])
    client, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    page = client.get(url)
    assert page.status_code == 200 and page.context["viewer"].member_id == ana.pk
    assert page.context["viewer"].state_id == "aurel"
    session = client.session
    session[SESSION_SEATS] = {str(started_game.pk): {"member": bo.pk, "token": ana.token}}  # Bo's id, Ana's token
    session.save()
    assert client.get(url).status_code == 302
    session[SESSION_SEATS] = {str(started_game.pk): {"member": ana.pk, "token": ana.token}}
    session.save()
    services.member_remove(game_id=started_game.pk, member_id=ana.pk, actor="test")
    assert client.get(url).status_code == 302  # to the join page


@pytest.mark.django_db
def test_the_views_of_a_shared_snapshot_are_kept_per_viewer_and_language(started_game):
    """A view cached for one viewer is never handed to another: each state, the public and the
    facilitator get their own view of the shared snapshot, in their own language."""
    state = engine_views.state(_render_game(started_game.pk))
    seen = {}
    for viewer in ("aurel", "borun", None, game_engine.FACILITATOR, "aurel", None):
        view = engine_views.typed_view_of(state, viewer)
        assert view == game_engine.view_for(state, viewer, lang=translation.get_language())
        seen.setdefault(viewer, view)
        assert engine_views.typed_view_of(state, viewer) is seen[viewer], "reused for the same viewer"
    assert seen["aurel"].me is not None and seen["aurel"].me.id == "aurel"
    assert seen["borun"].me is not None and seen["borun"].me.id == "borun"
    assert seen[None].me is None
    with translation.override("es"):
        spanish = engine_views.typed_view_of(state, "aurel")
    assert spanish is not seen["aurel"]
    assert spanish == game_engine.view_for(state, "aurel", lang="es")


@pytest.mark.django_db
def test_an_http_chat_post_without_the_game_read_keeps_its_checks_and_its_reply(started_game):
    """A seated player's post resolves its viewer by the game's id alone and replies from the
    channel the post read under the lock: a wrong game is still a 404, a retry still gets its
    form, and the reply's form is the channel posted to."""
    client, _ = seat_client(started_game, "aurel", "Ana")
    url = reverse("negotiation:chat-post", args=[started_game.pk])
    hx = {"HTTP_HX_REQUEST": "true"}
    first = client.post(url, {"body": "to the room", "channel": "plenary", "client_token": "tok-1"}, **hx)
    assert first.status_code == 200
    assert b'name="channel" value="plenary"' in first.content and b"to the room" in first.content
    retry = client.post(url, {"body": "to the room", "channel": "plenary", "client_token": "tok-1"}, **hx)
    assert retry.status_code == 200 and b'name="channel" value="plenary"' in retry.content
    assert Game.objects.get(pk=started_game.pk).messages.filter(body="to the room").count() == 1
    line = client.post(url, {"body": "just us", "channel": "fac:aurel"}, **hx)
    assert line.status_code == 200 and b'name="channel" value="fac:aurel"' in line.content
    other = client.post(reverse("negotiation:chat-post", args=[started_game.pk + 1000]), {"body": "x"}, **hx)
    assert other.status_code == 404
    stranger = client.post(url, {"body": "not mine", "channel": "bi:borun:calla"}, **hx)
    assert stranger.status_code >= 400
    assert not Game.objects.get(pk=started_game.pk).messages.filter(body="not mine").exists()


# --- Rendered parts reused between renders (fourth pass) -------------------------------------------
# Each cache renders its part from a context holding only what its key holds; these tests change one
# part of the key at a time and check that the HTML follows.


def _room(game_id: int, viewer: Viewer) -> dict:
    game = rendering._game(game_id, selectors.ROOM_SETS, viewer.seat_id)
    return rendering.room_context(game, viewer, reads_shared=True)


@pytest.mark.django_db
def test_the_new_proposal_forms_are_kept_per_game_state_and_language(started_game, facilitator):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    forms = {m.name: str(_room(started_game.pk, _player(m))["proposal_forms"]()) for m in (ana, bo)}
    assert 'name="parties" value="borun"' in forms["Ana"] and 'name="parties" value="aurel"' not in forms["Ana"]
    assert 'name="parties" value="aurel"' in forms["Bo"] and 'name="parties" value="borun"' not in forms["Bo"]
    with translation.override("es"):
        spanish = str(_room(started_game.pk, _player(ana))["proposal_forms"]())
    assert spanish != forms["Ana"] and "Propose a treaty" not in spanish
    other = services.game_create(facilitator=facilitator, scenario_slug=started_game.scenario_slug, title="Other",
                                 mode="expected")
    services.game_start(game_id=other.pk, actor="test")
    _, di = seat_client(Game.objects.get(pk=other.pk), "aurel", "Di")
    elsewhere = str(_room(other.pk, _player(di))["proposal_forms"]())
    assert reverse("negotiation:proposal-create", args=[other.pk]) in elsewhere
    assert reverse("negotiation:proposal-create", args=[started_game.pk]) not in elsewhere


@pytest.mark.django_db
def test_the_forces_panel_is_kept_per_view_of_the_forces_and_language(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")
    panels = {m.name: rendering.partial_html("my-forces", _room(started_game.pk, _player(m))) for m in (ana, bo)}
    assert "Aurel: your forces" in panels["Ana"] and "Borun: your forces" in panels["Bo"]
    before = panels["Ana"]
    assert rendering.partial_html("my-forces", _room(started_game.pk, _player(ana))) == before
    with translation.override("es"):
        assert rendering.partial_html("my-forces", _room(started_game.pk, _player(ana))) != before
    # a new snapshot written behind the services' back: a new view, rendered again
    row = Game.objects.get(pk=started_game.pk)
    state = row.state
    next(n for n in state["nations"] if n["id"] == "aurel")["budget"] = 987
    Game.objects.filter(pk=row.pk).update(state=state)
    after = rendering.partial_html("my-forces", _room(started_game.pk, _player(ana)))
    assert 'data-testid="budget">987<' in after and after != before


@pytest.mark.django_db
def test_the_order_composer_is_kept_per_composer_game_and_language(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    context = _room(started_game.pk, _player(ana))
    first = rendering.partial_html("order-panel", context)
    assert 'data-testid="order-composer"' in first
    assert rendering.partial_html("order-panel", context) == first
    groups = context["priv"].order_groups
    game = context["game"]
    typed = selectors.order_composer(game, _player(ana), groups, {"type": "BUILD", "class": "SRBM", "qty": "2"})
    built = rendering.partial_html("order-panel", context | {"composer": typed})
    assert built != first and 'value="2"' in built
    refused = selectors.order_composer(game, _player(ana), groups, {"type": "BUILD", "class": "SRBM", "qty": "2"},
                                       error="Not that many", param="qty")
    assert "Not that many" in rendering.partial_html("order-panel", context | {"composer": refused})
    with translation.override("es"):
        assert "New order" not in rendering.partial_html("order-panel", _room(started_game.pk, _player(ana)))


@pytest.mark.django_db
def test_the_seat_table_is_kept_per_seat_rows_public_view_and_language(started_game):
    _, ana = seat_client(started_game, "aurel", "Ana")
    seat_client(started_game, "borun", "Bo")  # not ready: Ana's readiness does not close the phase

    def table() -> str:
        return rendering.partial_html("seat-list", _room(started_game.pk, _player(ana)))

    before = table()
    assert 'data-testid="ready-aurel"' not in before and before == table()
    services.seat_set_ready(game_id=started_game.pk, seat_id=ana.seat_id, member_id=ana.pk, ready=True)
    ready = table()
    assert 'data-testid="ready-aurel"' in ready  # a seat row changed: rendered again
    Seat.objects.filter(pk=ana.seat_id).update(connections=1)
    online = table()
    assert online != ready and online.count('class="badge on"') == ready.count('class="badge on"') + 1
    with translation.override("es"):
        assert table() != online
    # the public picture comes from the public view: a new snapshot with the same seats is drawn again
    row = Game.objects.get(pk=started_game.pk)
    state = row.state
    next(n for n in state["nations"] if n["id"] == "aurel")["ds"] = 12.0
    Game.objects.filter(pk=row.pk).update(state=state)
    assert table() != online and "<td>12" in table()


@pytest.mark.django_db
def test_a_finished_games_seat_table_is_reused_not_kept_once_per_render(started_game):
    """A finished game's public view is a copy per render (its ending in the reader's language);
    the seat table holds the states and classes the copies share, so renders reuse one entry."""
    _, ana = seat_client(started_game, "aurel", "Ana")
    services.game_end(game_id=started_game.pk, actor="test", reason="test")
    first = rendering.partial_html("seat-list", _room(started_game.pk, _player(ana)))
    kept = len(rendering._KEPT)
    for _ in range(3):
        assert rendering.partial_html("seat-list", _room(started_game.pk, _player(ana))) == first
    assert len(rendering._KEPT) == kept


def test_the_channel_rows_are_kept_per_row_value_open_channel_game_and_language(started_game, facilitator):
    _, ana = seat_client(started_game, "aurel", "Ana")
    _, bo = seat_client(started_game, "borun", "Bo")

    def channel_list(member: Member, open_key: str = "plenary") -> str:
        game = rendering._game(started_game.pk, selectors.ROOM_SETS, member.seat_id)
        return rendering.partial_html("channel-list", rendering.chat_context(game, _player(member), open_key))

    before = channel_list(ana)
    assert 'data-testid="channel-bi-aurel-borun"' in before and 'data-count="0"' in before
    assert before == channel_list(ana)
    services.message_post(game_id=started_game.pk, viewer=_player(bo), body="Psst", channel="bi:aurel:borun")
    unread = channel_list(ana)
    assert 'id="unread-bi-aurel-borun" data-count="1"' in unread  # the row's count changed: drawn again
    opened = channel_list(ana, "bi:aurel:borun")
    assert opened != unread and opened.count('aria-current="true"') == 1
    services.coalition_create(game_id=started_game.pk, viewer=_player(bo), title="South", invite=["aurel"])
    english = channel_list(ana)
    assert 'data-testid="accept-' in english  # a new row: an invitation
    with translation.override("es"):
        assert channel_list(ana) != english
    # the same rows (English titles) in another language: the item's own words follow the language
    game = rendering._game(started_game.pk, selectors.ROOM_SETS, ana.seat_id)
    rows = selectors.channel_rows(game, _player(ana))
    items = rendering.channel_items_html(game.pk, rows, "plenary")
    with translation.override("es"):
        assert rendering.channel_items_html(game.pk, rows, "plenary") != items
    other = services.game_create(facilitator=facilitator, scenario_slug=started_game.scenario_slug, title="Other",
                                 mode="expected")
    services.game_start(game_id=other.pk, actor="test")
    _, di = seat_client(Game.objects.get(pk=other.pk), "aurel", "Di")
    game = rendering._game(other.pk, selectors.ROOM_SETS, di.seat_id)
    elsewhere = rendering.partial_html("channel-list", rendering.chat_context(game, _player(di)))
    assert reverse("negotiation:channel-open", args=[other.pk]) in elsewhere
    assert reverse("negotiation:channel-open", args=[started_game.pk]) not in elsewhere
