"""The game the review tests look at: played through the services, with two players, chat, order
revisions, a private inject, a bookmark, three resolved turns, and ended by the facilitator."""

from __future__ import annotations

from django.test import Client

from negotiation import services
from negotiation.models import Game, Member
from negotiation.review import services as review_services
from negotiation.viewer import Role, Viewer
from tests.negotiation.conftest import resolve, seat_client


def play(game: Game, turns: int = 3, end: bool = True) -> dict[str, tuple[Client, Member]]:
    """Play `turns` turns of a started game with two human players and two silent states."""
    ana = seat_client(game, "aurel", "Ana")
    bo = seat_client(game, "borun", "Bo")
    services.game_start(game_id=game.pk, actor="facilitator:teacher")
    game.refresh_from_db()
    for turn in range(1, turns + 1):
        for member, body in ((ana[1], f"Aurel proposes a hotline, turn {turn}."), (bo[1], f"Borun listens, turn {turn}.")):
            viewer = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id, state_id=member.seat.state_id,
                            label=member.name, member_id=member.pk, is_captain=True)
            services.message_post(game_id=game.pk, viewer=viewer, body=body, client_token=f"{member.pk}-{turn}")
        services.order_add(game_id=game.pk, seat_id=ana[1].seat_id, member_id=ana[1].pk,
                           raw={"type": "BUILD", "class": "IRBM", "qty": 1})
        services.order_add(game_id=game.pk, seat_id=bo[1].seat_id, member_id=bo[1].pk,
                           raw={"type": "BUILD", "class": "SRBM", "qty": 2, "covert": True})
        if turn == 1:
            services.order_add(game_id=game.pk, seat_id=ana[1].seat_id, member_id=ana[1].pk,
                               raw={"type": "AGREE_HOTLINE", "with": "borun"})
            services.inject_send(game_id=game.pk, actor="facilitator:teacher", title="Satellite photo",
                                 text="Borun's analysts spot new launchers.", targets=["borun"])
            review_services.bookmark_add(game_id=game.pk, actor="facilitator:teacher",
                                         note="Ana offers a hotline before anyone asked", shared=False)
        resolve(game)
    if end:
        services.game_end(game_id=game.pk, actor="facilitator:teacher", reason="End of the lesson")
    game.refresh_from_db()
    return {"aurel": ana, "borun": bo}
