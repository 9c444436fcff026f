"""The game the review tests look at: played through the services, with two players, chat, order
revisions, a private channel, a treaty both parties sign, a private inject, a bookmark, three resolved turns, and ended by the facilitator."""

from __future__ import annotations

from django.test import Client

from negotiation import services
from negotiation.models import Game, Member
from negotiation.review import services as review_services
from negotiation.viewer import Role, Viewer
from tests.helpers import resolve, seat_client


def player(member: Member) -> Viewer:
    return Viewer(role=Role.PLAYER, game_id=member.seat.game_id, seat_id=member.seat_id,
                  state_id=member.seat.state_id, label=member.name, member_id=member.pk, is_captain=member.is_captain)


def play(game: Game, turns: int = 3, end: bool = True) -> dict[str, tuple[Client, Member]]:
    """Play `turns` turns of a started game: Ana (Aurel) and Bo (Borun) talk, sign and give orders;
    Cy (Calla) only watches; Dresk has no player."""
    ana = seat_client(game, "aurel", "Ana")
    bo = seat_client(game, "borun", "Bo")
    cy = seat_client(game, "calla", "Cy")
    services.game_start(game_id=game.pk, actor="facilitator:teacher")
    game.refresh_from_db()
    viewers = {sid: player(m) for sid, (_, m) in (("aurel", ana), ("borun", bo))}
    for turn in range(1, turns + 1):
        for sid, body in (("aurel", f"Aurel proposes a hotline, turn {turn}."), ("borun", f"Borun listens, turn {turn}.")):
            services.message_post(game_id=game.pk, viewer=viewers[sid], body=body, client_token=f"{sid}-{turn}")
        services.order_add(game_id=game.pk, seat_id=ana[1].seat_id, member_id=ana[1].pk,
                           raw={"type": "BUILD", "class": "IRBM", "qty": 1})
        services.order_add(game_id=game.pk, seat_id=bo[1].seat_id, member_id=bo[1].pk,
                           raw={"type": "BUILD", "class": "SRBM", "qty": 2, "covert": True})
        if turn == 1:
            services.message_post(game_id=game.pk, viewer=viewers["borun"], channel="bi:aurel:borun",
                                  body="Between us: we can live with a cap on short-range missiles.")
            cap = services.proposal_create(game_id=game.pk, viewer=viewers["aurel"], kind="treaty",
                                           title="Sea cap", parties=["borun"], template="OFFENSE_CAP",
                                           clauses={"caps": {"SRBM": 21, "MRBM": 30}}, text="")
            for sid in ("aurel", "borun"):
                services.proposal_sign(game_id=game.pk, viewer=viewers[sid], number=cap.number, expected_version=1)
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
    return {"aurel": ana, "borun": bo, "calla": cy}
