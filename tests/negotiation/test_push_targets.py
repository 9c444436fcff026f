"""Fragments go only to pages that have a place for them: the public map (~20 KB) and the
projector's stage (its lobby list, big index and results) are the projector's, so players and the
console neither receive them nor log htmx:oobErrorNoTarget."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser

from negotiation import broadcasts, rendering, sockets
from negotiation.viewer import Role, Viewer
from tests.helpers import seat_client

MAP = 'id="region-map-public"'
STAGE = 'id="projector-stage"'


@pytest.fixture
def sent():
    groups: list[tuple[str, dict]] = []
    with mock.patch.object(broadcasts, "_send", lambda group, message: groups.append((group, dict(message)))):
        yield groups


def html_by_group(sent: list[tuple[str, dict]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for group, message in sent:
        joined[group] = joined.get(group, "") + str(message.get("html", ""))
    return joined


def test_the_public_map_and_the_stage_are_pushed_to_the_projector_only(started_game, sent):
    broadcasts.game_changed(game_id=started_game.pk, public=broadcasts.PUBLIC_ALL)
    html = html_by_group(sent)
    assert MAP not in html[broadcasts.public_group(started_game.pk)]
    assert STAGE not in html[broadcasts.public_group(started_game.pk)]
    assert 'id="seat-list"' in html[broadcasts.public_group(started_game.pk)]
    # The map is a doorbell the projector's own socket renders (no map is rendered for no projector)
    assert MAP not in html.get(broadcasts.observers_group(started_game.pk), "")
    observers = [m for g, m in sent if g == broadcasts.observers_group(started_game.pk)]
    assert {"type": "push.public", "fragments": ["region-map-public"]} in observers
    assert {"type": "push.stage"} in observers
    assert MAP in rendering.public_fragments_html(started_game.pk, ("region-map-public",))


def stage_bells(sent: list[tuple[str, dict]], game_id: int) -> int:
    return sum(1 for group, message in sent
               if group == broadcasts.observers_group(game_id) and message == {"type": "push.stage"})


def test_the_stage_bell_renders_the_public_stage(started_game):
    """The projector's socket renders the stage it is rung for: public data, the page's own partial."""
    html = rendering.projector_stage_html(started_game.pk)
    assert STAGE in html and MAP not in html


def test_a_change_without_the_map_sends_the_projector_its_stage_only(started_game, sent):
    """A student joins or gets ready: the projector's lobby list and readiness change, its map does not."""
    broadcasts.game_changed(game_id=started_game.pk, public=("seat-list",))
    assert stage_bells(sent, started_game.pk) == 1
    assert MAP not in html_by_group(sent).get(broadcasts.observers_group(started_game.pk), "")


def test_a_private_change_sends_nothing_to_the_projectors_group(started_game, sent):
    broadcasts.game_changed(game_id=started_game.pk, private=("proposals",))
    assert broadcasts.observers_group(started_game.pk) not in {group for group, _message in sent}


def test_resync_carries_the_public_map_for_the_projector_only(started_game):
    _client, member = seat_client(started_game, "aurel", "Ana")
    player = Viewer(role=Role.PLAYER, game_id=started_game.pk, seat_id=member.seat_id, state_id="aurel",
                    label="Ana", member_id=member.pk)
    observer = Viewer(role=Role.OBSERVER, game_id=started_game.pk, label="Observer")
    assert MAP not in rendering.resync_html(started_game.pk, player)
    assert MAP in rendering.resync_html(started_game.pk, observer)


def test_the_projectors_socket_is_an_observer_even_for_a_logged_in_facilitator(started_game, facilitator):
    scope = {"session": {}, "user": facilitator, "query_string": f"key={started_game.observer_key}".encode()}
    viewer, _key = sockets.identify(scope, started_game.pk)
    assert viewer is not None and viewer.role is Role.OBSERVER
    scope = {"session": {}, "user": facilitator, "query_string": b""}
    viewer, _key = sockets.identify(scope, started_game.pk)
    assert viewer is not None and viewer.role is Role.FACILITATOR
    scope = {"session": {}, "user": AnonymousUser(), "query_string": b"key=wrong"}
    assert sockets.identify(scope, started_game.pk)[0] is None


def test_the_projectors_resync_carries_nothing_it_has_no_place_for(started_game):
    """The projector page has no chat, channel list or proposals: a resync that sent them made
    htmx log oobErrorNoTarget on the wall at every (re)connect."""
    observer = Viewer(role=Role.OBSERVER, game_id=started_game.pk, label="Observer")
    html = rendering.resync_html(started_game.pk, observer)
    for fragment in ('id="chat-pane"', 'id="channel-list"', 'id="proposals"'):
        assert fragment not in html
    assert 'id="seat-list"' in html
