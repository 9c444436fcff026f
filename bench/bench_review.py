"""Review benchmarks: a 20-turn, 8-state game with 5,000 messages; times the review pages, the
exports and the replay, and counts the database queries of each page.

Usage: ``.venv/bin/python bench/bench_review.py [--messages 5000] [--turns 20] [--runs 7]``
Targets: review page < 300 ms, export < 5 s, replay < 10 s.

The game is played for real through the services (orders, chat on the plenary and on
bilateral channels, a signed treaty, every resolution by the engine), on a synthetic scenario:
meridian-sea with its four states doubled to eight ("meridian-sea-x8", registered in this
process only) and 20 turns. It runs on a fresh SQLite file in a temporary directory unless
``--database-url`` names another database (which then keeps the game).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "meridian-sea-x8"


def doubled_scenario() -> dict[str, Any]:
    """meridian-sea's JSON with a second copy of every state, site and treaty (ids suffixed '2')."""
    import game_engine
    from game_engine.scenario import scenario_to_json

    base: Any = scenario_to_json(game_engine.load_scenario("meridian-sea"))
    ids = [s["id"] for s in base["states"]]

    def twin(sid: str) -> str:
        return f"{sid}2" if sid in ids else sid

    data: Any = copy.deepcopy(base)
    # the injects stay: the Spanish catalogue names them, and a 20-turn game meets both
    data.update(slug=SLUG, title="Meridian Sea, eight states", turns=20)
    for state in base["states"]:
        s = copy.deepcopy(state)
        s.update(id=twin(state["id"]), name=f"{state['name']} II")
        for card in s.get("objective_cards", []):
            card["id"] += "2"
            for cond in card["conditions"]:
                cond["state"] = twin(cond.get("state", ""))
                cond["site"] = f"{cond['site']}-2" if cond.get("site") else ""
        geo = s["geography"]
        geo.update(x=geo["x"] / 2, y=geo["y"] / 2, polygon=[[a / 2, b / 2] for a, b in geo["polygon"]])
        data["states"].append(s)
    data["relations"] += [{**copy.deepcopy(r), "from": twin(r["from"]), "to": twin(r["to"])} for r in base["relations"]]
    known = {(r["from"], r["to"]) for r in data["relations"]}
    every = ids + [twin(i) for i in ids]
    data["relations"] += [{"from": a, "to": b, "h": 0.1, "trust": [2.0, 2.0], "ev": 0.0, "ed": 0.0, "rival": False}
                          for a in every for b in every if a != b and (a, b) not in known]
    data["reach"].update({twin(k): {twin(t): c for t, c in v.items()} for k, v in base["reach"].items()})
    for site in base["sites"]:
        s = copy.deepcopy(site)
        s.update(id=f"{site['id']}-2", host=twin(site["host"]), owner=twin(site["owner"]) if site["owner"] else "")
        s["coverage"] = [{**c, "defends": twin(c["defends"]), "against": [twin(a) for a in c["against"]]}
                         for c in s["coverage"]]
        s["sees"] = [twin(a) for a in s["sees"]]
        s["geography"]["x"] /= 2
        data["sites"].append(s)
    data["treaties"] += [{**copy.deepcopy(t), "parties": [twin(p) for p in t["parties"]], "name": f"{t['name']} II"}
                         for t in base["treaties"]]
    return dict(data)


def setup_django(database_url: str | None, workdir: Path) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(workdir / "bench-review.sqlite3")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.TREATYCRAFT["CHAT_RATE_PER_MINUTE"] = 10**9
    call_command("migrate", verbosity=0)

    import game_engine
    from game_engine.scenario import parse_scenario

    x8 = parse_scenario(doubled_scenario(), SLUG)
    bundled = game_engine.load_scenario

    def load(slug: str) -> game_engine.Scenario:
        return x8 if slug == SLUG else bundled(slug)

    game_engine.load_scenario = load  # type: ignore[assignment]


def play_game(turns: int, messages: int) -> tuple[Any, dict[str, float]]:
    from django.contrib.auth import get_user_model

    from negotiation import services
    from negotiation.errors import UserError
    from negotiation.review import services as review_services
    from negotiation.viewer import Role, Viewer

    timings: dict[str, float] = {}
    started = time.perf_counter()
    user_model = get_user_model()
    teacher = user_model.objects.filter(username="bench-teacher").first() or user_model.objects.create_user(
        username="bench-teacher")
    game = services.game_create(facilitator=teacher, scenario_slug=SLUG, title="Benchmark: eight states",
                                mode="expected")
    ids = [s.state_id for s in game.seats.all()]
    viewers: dict[str, Viewer] = {}
    seats: dict[str, tuple[int, int]] = {}
    for n, sid in enumerate(ids):
        member = services.seat_claim(game_id=game.pk, state_id=sid, display_name=f"Student {n + 1}")
        viewers[sid] = Viewer(role=Role.PLAYER, game_id=game.pk, seat_id=member.seat_id, state_id=sid,
                              label=member.name, member_id=member.pk, is_captain=True)
        seats[sid] = (member.seat_id, member.pk)
    services.game_start(game_id=game.pk, actor="facilitator:bench-teacher")
    per_turn = messages // turns
    posted = 0
    for turn in range(1, turns + 1):
        for k in range(per_turn if turn < turns else messages - posted):
            author = ids[(turn + k) % len(ids)]
            other = ids[(turn + 3 * k + 1) % len(ids)]
            channel = "plenary"
            if k % 3 == 1 and other != author:
                channel = f"bi:{min(author, other)}:{max(author, other)}"
            services.message_post(game_id=game.pk, viewer=viewers[author], channel=channel,
                                  body=f"Turn {turn}, note {k}: {author} to {other} about limits and hotlines.",
                                  client_token=f"bench-{turn}-{k}")
            posted += 1
        if turn == 2:
            proposal = services.proposal_create(
                game_id=game.pk, viewer=viewers["aurel"], kind="treaty", title="Sea cap", parties=["borun"],
                template="OFFENSE_CAP", clauses={"caps": {"SRBM": 40, "MRBM": 30}}, text="")
            for sid in ("aurel", "borun"):
                services.proposal_sign(game_id=game.pk, viewer=viewers[sid], number=proposal.number,
                                       expected_version=1)
        for n, sid in enumerate(ids):
            orders = [{"type": "BUILD", "class": "SRBM", "qty": 1, "covert": (turn + n) % 5 == 0}]
            if turn % 4 == 0:
                orders.append({"type": "DECLARE", "counts": {"SRBM": 5}})
            for raw in orders:
                with contextlib.suppress(UserError):  # an order the engine refuses (budget) is left out
                    services.order_add(game_id=game.pk, seat_id=seats[sid][0], member_id=seats[sid][1], raw=raw)
        if turn % 5 == 0:
            review_services.bookmark_add(game_id=game.pk, actor="facilitator:bench-teacher",
                                         note=f"Turn {turn}: a moment to discuss", shared=turn % 10 == 0)
        game.refresh_from_db()
        for phase in ("negotiation", "orders", "report"):
            if game.phase == phase:
                services.phase_advance(game_id=game.pk, expected_phase=phase, expected_turn=game.turn,
                                       actor="facilitator:bench-teacher")
                game.refresh_from_db()
        if game.phase == "finished":
            break
    if game.phase != "finished":
        services.game_end(game_id=game.pk, actor="facilitator:bench-teacher", reason="End of the benchmark")
    review_services.review_players_allow(game_id=game.pk, actor="facilitator:bench-teacher", allowed=True)
    game.refresh_from_db()
    timings["setup"] = time.perf_counter() - started
    return game, timings


def measure(fn: Any, runs: int) -> tuple[float, float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:] or times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7, help="requests per page (the first is cold)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file and the exports (deleted otherwise)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-review-"))
    setup_django(args.database_url, workdir)

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from negotiation.models import GameEvent, Member, Message, TurnRecord
    from negotiation.review.export import build_export, write_export
    from negotiation.review.replay import replay_game
    from negotiation.selectors import SESSION_SEATS

    print(f"Playing a {args.turns}-turn game of 8 states with {args.messages} messages through the services "
          f"(synthetic scenario {SLUG}: meridian-sea doubled; database {connection.vendor})…", flush=True)
    game, timings = play_game(args.turns, args.messages)
    print(f"  set up in {timings['setup']:.1f} s: {TurnRecord.objects.filter(game=game).count()} turns, "
          f"{Message.objects.filter(game=game).count()} messages, {GameEvent.objects.filter(game=game).count()} "
          f"log entries, game {game.phase}\n", flush=True)

    fac = Client()
    fac.force_login(game.facilitator)
    player = Client()
    member = Member.objects.select_related("seat").get(seat__game=game, seat__state_id="borun")
    session = player.session
    session[SESSION_SEATS] = {str(game.pk): {"member": member.pk, "token": member.token}}
    session.save()

    rows: list[tuple[str, str, str, str, str]] = []
    middle = max(1, args.turns // 2)
    early = max(1, args.turns // 4)
    pages = [
        ("review page (overview, charts)", fac, ""),
        ("timeline, first page", fac, "timeline/"),
        ("timeline, search + turn filter", fac, f"timeline/?q=hotlines&turn={middle}"),
        ("timeline, one state's channel", fac, "timeline/?state=borun&kind=message.*&page=3"),
        (f"knowledge view, turn {middle}", fac, f"knowledge/?state=calla&turn={middle}"),
        ("debrief", fac, "debrief/"),
        ("what-if form", fac, f"what-if/?turn={early}"),
        ("player: review page", player, ""),
        ("player: timeline search", player, "timeline/?q=limits"),
    ]
    for label, client, path in pages:
        url = f"/review/{game.pk}/{path}"
        cache.clear()

        def get(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        cold, warm, _ = measure(get, args.runs)
        with CaptureQueriesContext(connection) as queries:
            get()
        rows.append((label, f"{cold * 1000:.0f} ms", f"{warm * 1000:.0f} ms", str(len(queries.captured_queries)),
                     "< 300 ms" if label.endswith("(overview, charts)") else ""))

    def whatif() -> None:
        record = TurnRecord.objects.get(game=game, turn=early)
        keep = {f"keep-{sid}": [str(i) for i in range(len(o))] for sid, o in record.orders.items() if sid != "borun"}
        response = fac.post(f"/review/{game.pk}/what-if/", {"turn": str(early), **keep,
                            "add-borun": '{"type": "REDUCE", "class": "SRBM", "qty": 3}'}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.content[:500]

    cold, warm, _ = measure(whatif, 3)
    rows.append((f"what-if from turn {early} ({args.turns - early + 1} turns re-run)", f"{cold * 1000:.0f} ms", f"{warm * 1000:.0f} ms", "", ""))

    out = workdir / "export"
    for fmt in ("json", "csv"):
        for pseudo in (False, True):
            def export(fmt: str = fmt, pseudo: bool = pseudo) -> None:
                write_export(build_export(game, pseudonymize=pseudo), out / f"{fmt}-{pseudo}", fmt)
            cold, warm, _ = measure(export, 3)
            size = sum(p.stat().st_size for p in (out / f"{fmt}-{pseudo}").iterdir())
            rows.append((f"export {fmt}{' pseudonymised' if pseudo else ''} ({size / 1e6:.1f} MB)",
                         f"{cold * 1000:.0f} ms", f"{warm * 1000:.0f} ms", "", "< 5 s"))

    report_holder: list[Any] = []

    def replay() -> None:
        report_holder.append(replay_game(game))

    cold, warm, _ = measure(replay, 3)
    report = report_holder[-1]
    rows.append((f"replay {report.turns} turns ({'OK' if report.ok else 'DIFFERS'})", f"{cold * 1000:.0f} ms",
                 f"{warm * 1000:.0f} ms", "", "< 10 s"))

    widths = [max(len(r[i]) for r in [("what", "first", "median", "queries", "target"), *rows]) for i in range(5)]
    header = ("what", "first", "median", "queries", "target")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\nfirst = first request with an empty cache; median of the other {args.runs - 1} (pages) or 2 (others).")
    print(f"Replay: {report.difference or 'every stored result matches'}.")
    if args.keep:
        print(f"Database and exports kept under {workdir}.")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if not report.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
