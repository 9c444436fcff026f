"""A dry run before class: a game with bot seats, played to the end through the real services
and the real clock, so a facilitator can check a scenario and open the result in the review pages."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

import game_engine
from negotiation import clock, engine_views, services
from negotiation.models import OPEN_PHASES, Game, GameEvent, Phase, Proposal


class Command(BaseCommand):
    help = "Create a game with N bot seats and play it through the real services and clock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", default="meridian-sea")
        parser.add_argument("--bots", type=int, default=None, help="bot seats (default: every state)")
        parser.add_argument("--turns", type=int, default=None, help="stop after this many turns")
        parser.add_argument("--policy", default="", help="one bot policy for all (default: a mix)")
        parser.add_argument("--mode", default="expected", choices=["expected", "stochastic"])
        parser.add_argument("--phase-seconds", type=int, default=1, help="length of each phase")
        parser.add_argument("--facilitator", default="", help="username that owns the game")
        parser.add_argument("--wait-deadlines", action="store_true",
                            help="let every phase run to its deadline (default: end it once the bots are quiet)")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        username = options["facilitator"]
        user = (user_model.objects.filter(username=username).first() if username
                else user_model.objects.filter(is_superuser=True).order_by("pk").first())
        if user is None:
            user, _ = user_model.objects.get_or_create(username="playtest", defaults={"is_staff": True})
        scenario = game_engine.load_scenario(options["scenario"])
        states = [info.id for info in scenario.info.states]
        count = len(states) if options["bots"] is None else options["bots"]
        if not 0 <= count <= len(states):
            raise CommandError(f"--bots must be between 0 and {len(states)}")
        seconds = max(1, options["phase_seconds"])
        game = services.game_create(facilitator=user, scenario_slug=scenario.info.slug,
                                    title=f"Playtest of {scenario.info.title}", mode=options["mode"],
                                    negotiation_seconds=seconds, orders_seconds=seconds, report_seconds=seconds)
        mix = list(services.BOT_POLICIES)
        for index, state_id in enumerate(states[:count]):
            policy = options["policy"] or mix[index % len(mix)]
            services.seat_set_bot(game_id=game.pk, state_id=state_id, policy=policy, actor="playtest")
            self.stdout.write(f"  {state_id}: {policy} bot")
        services.game_start(game_id=game.pk, actor="playtest")
        last_turn = options["turns"] or scenario.info.turns
        self.stdout.write(f"Game {game.code}: playing {last_turn} turn(s) with the clock...")
        started = time.monotonic()
        quiet = 0
        last_seq = -1
        while True:
            clock.tick()
            game.refresh_from_db()
            # Bots move at their pace within a phase; once the table has been quiet for two
            # checks, the phase ends early, as a facilitator would end it (waiting=deadlines only).
            quiet = quiet + 1 if game.last_seq == last_seq else 0
            last_seq = game.last_seq
            if quiet >= 2 and not options["wait_deadlines"] and game.phase in OPEN_PHASES:
                services.phase_advance(game_id=game.pk, expected_phase=game.phase, expected_turn=game.turn,
                                       actor="playtest")
                game.refresh_from_db()
                quiet = 0
            if game.phase == Phase.FINISHED:
                break
            if game.phase == Phase.NEGOTIATION and game.turn > last_turn:
                services.game_end(game_id=game.pk, actor="playtest", reason=f"Playtest stopped after {last_turn} turns.")
                break
            time.sleep(0.2)
            self.stdout.write(f"\r  turn {game.turn}, {game.get_phase_display().lower():<12}", ending="")
            self.stdout.flush()
        game = Game.objects.get(pk=game.pk)
        view = engine_views.typed_view(game, None)
        self.stdout.write(f"\nFinished in {time.monotonic() - started:.1f} s. Final stability {view.rsi_pub:.1f}.")
        for state_id, score in sorted((view.final_scores or {}).items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {state_id:<12} {score:6.1f} VP")
        self._table_summary(game)
        self.stdout.write(self.style.SUCCESS(f"Game code: {game.code} (open it from My games)"))

    def _table_summary(self, game: Game) -> None:
        """What the bots did at the table: moves by kind and the treaties they made."""
        moves = Counter(str(e.data.get("move", {}).get("act")) for e in
                        GameEvent.objects.filter(game=game, kind="bot.move"))
        if moves:
            self.stdout.write("Bot moves at the table: " + ", ".join(f"{k} {n}" for k, n in sorted(moves.items())))
        made = Proposal.objects.filter(game=game, status=Proposal.Status.IN_FORCE)
        self.stdout.write(f"Treaties and agreements negotiated into force: {made.count()}")
        for proposal in made:
            self.stdout.write(f"  P{proposal.number} {proposal.title} ({proposal.get_kind_display()}, "
                              f"version {proposal.version})")
