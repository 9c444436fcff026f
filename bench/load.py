#!/usr/bin/env python
"""Treatycraft load generator: real players over HTTP and WebSockets, and the bare Channels baseline.

Treatycraft target: a facilitator logs in and creates and starts one game per room (teams allowed);
every player joins over HTTP (GET /join/<code>/, POST the join form, GET the room page for the
CSRF token) and holds the game's WebSocket like the browser does. Players then post chat through
POST /g/<id>/chat/ at a given rate; each message carries a marker, and every socket of the room
records when the push carrying it arrived. Latency = arrival - the moment the POST was started.
The turn scenario has the facilitator advance a room to orders, the captains submit orders over
HTTP, and the facilitator resolve the turn; every socket of that room records when the turn's
public results and its private report arrived.

Baseline target: the same rooms and rates against bench/baseline.py, where a socket sends the
marker over the WebSocket and the consumer group_sends a fixed fragment to the room.

Scenarios (comma-separated, run in order on the same connected players):
  paced   every player of the chat rooms posts --rate messages/s for --duration s
  ramp    paced steps from --ramp-start deliveries/s, x--ramp-factor each step, until the server
          stops keeping up (delivered < 90 % of offered, lost pushes, or p99 > --ramp-p99-ms)
  turn    (Treatycraft only) resolve a turn in the --big-room room while the other rooms chat

Reports delivered/s, latency percentiles, errors, lost pushes (expected - received), server CPU
and memory (Daphne found by its port; Redis; PostgreSQL), as a table and as JSON (--json FILE).
Everything is bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import re
import resource
import secrets
import sys
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from websockets.asyncio.client import ClientConnection, connect

from bench import procstats
from bench.httpclient import CSRF_HEADER_RE, CSRF_INPUT_RE, CookieJar, HttpError, Pool

MARK_RE = re.compile(r"TCB-(\d+)-(\d+)-(\d+)-(\d+)")
STATE_RE = re.compile(r'name="state_id" value="([^"]+)"\s*(disabled)?')
CODE_RE = re.compile(r"/join/([A-Z0-9]+)/")
GAME_RE = re.compile(r"/facilitate/(\d+)/")
CHAT_PUSH_PREFIX = '<ol id="chat-log'  # a chat push: <ol id="chat-log-<channel>" hx-swap-oob="beforeend">
PAD = "x" * 24


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100.0 * (len(values) - 1))))
    return values[k]


# --- Rooms and players -------------------------------------------------------------------------


@dataclass
class Room:
    index: int
    size: int
    kind: str  # "chat" or "turn"
    game_id: int = 0
    code: str = ""
    seeded: list[dict[str, Any]] = field(default_factory=list)  # from bench/seed.py: sessions already seated


@dataclass
class Player:
    pid: int
    room: Room
    base: str  # http://127.0.0.1:port of the process this player talks to
    captain: bool = False
    jar: CookieJar = field(default_factory=CookieJar)
    csrf: str = ""
    ws: ClientConnection | None = None
    seen: set[tuple[int, int]] = field(default_factory=set)
    turn_public: int = 0
    turn_private: int = 0
    # chat frames awaiting the server's answer (--chat-over ws), by client token
    acks: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)


def origin_of(base: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def ws_base(base: str) -> str:
    return "ws" + base[len("http"):]


# --- Facilitator: create and start the games over HTTP ----------------------------------------


async def facilitator_login(pool: Pool, user: str, password: str) -> tuple[CookieJar, str]:
    jar = CookieJar()
    page = await pool.request("GET", "/accounts/login/", jar)
    token = CSRF_INPUT_RE.search(page.text)
    if page.status != 200 or token is None:
        raise SystemExit(f"login page: HTTP {page.status}")
    reply = await pool.request("POST", "/accounts/login/", jar, form={
        "username": user, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Origin": pool.base, "Referer": pool.base + "/accounts/login/"})
    if reply.status != 302 or "sessionid" not in jar.cookies:
        raise SystemExit(f"facilitator login failed: HTTP {reply.status}")
    dash = await pool.request("GET", "/facilitate/", jar)
    header = CSRF_HEADER_RE.search(dash.text)
    if header is None:
        raise SystemExit("no CSRF token on the dashboard")
    return jar, header.group(1)


async def facilitator_only(base: str, user: str, password: str, warm_game: int = 0) -> dict[str, Any]:
    pool = Pool(base, size=2)
    jar, csrf = await facilitator_login(pool, user, password)
    if warm_game:  # render the console once, so the templates are compiled before memory is measured
        await pool.request("GET", f"/facilitate/{warm_game}/", jar)
    await pool.close()
    return {"cookies": jar.cookies, "csrf": csrf}


def csrf_secret() -> str:
    """A CSRF cookie value as Django makes them (32 letters and digits); a seeded player's
    browser would have received one with the room page."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


async def create_games(base: str, rooms: list[Room], user: str, password: str, concurrency: int = 4) -> dict[str, Any]:
    pool = Pool(base, size=concurrency)
    jar, csrf = await facilitator_login(pool, user, password)
    headers = {"X-CSRFToken": csrf, "Origin": base, "Referer": base + "/facilitate/"}
    sem = asyncio.Semaphore(concurrency)

    async def one(room: Room) -> None:
        async with sem:
            made = await pool.request("POST", "/facilitate/new/", jar, headers=headers, form={
                "scenario": "meridian-sea", "title": f"Bench room {room.index}", "mode": "expected",
                "timing": "manual", "missed_orders": "hold", "bot_policy": "reciprocator", "allow_teams": "on"})
            where = GAME_RE.search(made.header("location") or "")
            if made.status != 302 or where is None:
                raise SystemExit(f"game creation failed: HTTP {made.status}")
            room.game_id = int(where.group(1))
            console = await pool.request("GET", f"/facilitate/{room.game_id}/", jar)
            code = CODE_RE.search(console.text)
            if code is None:
                raise SystemExit("no join code on the console")
            room.code = code.group(1)
            started = await pool.request("POST", f"/facilitate/{room.game_id}/start/", jar, headers=headers)
            if started.status != 200:
                raise SystemExit(f"game start failed: HTTP {started.status}")

    await asyncio.gather(*(one(r) for r in rooms))
    await pool.close()
    return {"cookies": jar.cookies, "csrf": csrf}


# --- The worker: players of some rooms, in one process ----------------------------------------


class Worker:
    def __init__(self, args: argparse.Namespace, rooms: list[Room], facilitator: dict[str, Any], first_pid: int):
        self.args = args
        self.rooms = rooms
        self.target = args.target_now
        self.kind = "baseline" if self.target.startswith("baseline") else "treatycraft"
        self.pools = {base: Pool(base, size=args.http_connections) for base in args.url}
        self.fac_jar = CookieJar(dict(facilitator.get("cookies", {})))
        self.fac_csrf = facilitator.get("csrf", "")
        self.players: list[Player] = []
        pid = first_pid
        for room in rooms:
            for k in range(room.size):
                base = args.url[pid % len(args.url)]
                player = Player(pid=pid, room=room, base=base)
                if room.seeded:
                    token = csrf_secret()
                    player.jar.cookies = {"sessionid": room.seeded[k]["session"], "csrftoken": token}
                    player.csrf = token
                    player.captain = bool(room.seeded[k]["captain"])
                self.players.append(player)
                pid += 1
        self.by_room: dict[int, list[Player]] = {}
        for p in self.players:
            self.by_room.setdefault(p.room.index, []).append(p)
        self.phase = -1
        self.lat: array[int] = array("q")
        self.sent_at: array[int] = array("q")  # when each measured push's post started (ns), for the timeline
        self.received = 0
        self.first_send = 0
        self.last_recv = 0
        self.other_frames = 0
        self.ws_errors = 0
        self.turn_lat: dict[str, array[int]] = {"public": array("q"), "private": array("q"), "both": array("q")}
        self.turn_t0: dict[int, int] = {}
        self.turn_number: dict[int, int] = {}
        self.turn_done: dict[int, asyncio.Event] = {}
        self.expected = 0
        self.all_in = asyncio.Event()
        self.receivers: list[asyncio.Task[None]] = []
        self.connect_retries = 0

    # -- setup --------------------------------------------------------------------------------

    async def join(self, player: Player) -> None:
        pool = self.pools[player.base]
        code = player.room.code
        hdrs = {"Origin": player.base, "Referer": f"{player.base}/join/{code}/"}
        page = await pool.request("GET", f"/join/{code}/", player.jar)
        token = CSRF_INPUT_RE.search(page.text)
        if page.status != 200 or token is None:
            raise HttpError(f"join page: HTTP {page.status}")
        options = [value for value, disabled in STATE_RE.findall(page.text) if not disabled]
        open_states = [o for o in options if not o.startswith("team:")]
        teams = [o for o in options if o.startswith("team:")]
        if open_states:
            choice = open_states[0]
            player.captain = True
        elif teams:
            choice = teams[player.pid % len(teams)]
        else:
            raise HttpError("no seat to join")
        reply = await pool.request("POST", f"/join/{code}/", player.jar, headers=hdrs, form={
            "csrfmiddlewaretoken": token.group(1), "display_name": f"Player {player.pid}", "state_id": choice})
        if reply.status != 302:
            alert = re.search(r'role="alert"[^>]*>([^<]*)', reply.text)
            raise HttpError(f"join: HTTP {reply.status} {alert.group(1) if alert else ''}")
        room_page = await pool.request("GET", f"/play/{code}/", player.jar)
        header = CSRF_HEADER_RE.search(room_page.text)
        if room_page.status != 200 or header is None:
            raise HttpError(f"room page: HTTP {room_page.status}")
        player.csrf = header.group(1)

    async def open_socket(self, player: Player) -> None:
        if self.kind == "treatycraft":
            url = f"{ws_base(player.base)}/ws/game/{player.room.game_id}/"
            headers = {"Cookie": player.jar.header()}
        else:
            variant = self.target.partition(":")[2]
            url = f"{ws_base(player.base)}/ws/bench/{variant}/r{player.room.index}/"
            headers = {}
        # Like the htmx ws extension: retry a refused or dropped handshake with full-jitter backoff.
        for attempt in range(8):
            try:
                player.ws = await connect(url, origin=origin_of(player.base), additional_headers=headers,  # type: ignore[arg-type]
                                          compression=None, ping_interval=None, open_timeout=60, close_timeout=2,
                                          max_queue=None, proxy=None, max_size=2**22)
                break
            except Exception:
                self.connect_retries += 1
                if attempt == 7:
                    raise
                await asyncio.sleep(random.random() * min(10.0, 0.5 * 2**attempt))
        if self.kind == "treatycraft":
            assert player.ws is not None
            await asyncio.wait_for(player.ws.recv(), 60)  # the resync: the page is live

    async def setup(self, conn: Any = None) -> dict[str, Any]:
        t0 = time.monotonic()
        errors = 0
        if self.kind == "treatycraft":
            sem = asyncio.Semaphore(self.args.join_concurrency)

            async def join_room(players: list[Player]) -> None:
                nonlocal errors
                async with sem:
                    for p in players:  # one room at a time, in order: the first four are captains
                        if p.csrf:  # seeded (--players-file): already seated
                            continue
                        try:
                            await self.join(p)
                        except (TimeoutError, HttpError, OSError) as exc:
                            errors += 1
                            print(f"join failed for player {p.pid}: {exc!r}", file=sys.stderr)

            await asyncio.gather(*(join_room(ps) for ps in self.by_room.values()))
        joined_s = time.monotonic() - t0
        if conn is not None:  # let the parent measure memory between joining and connecting
            conn.send(("joined", {"joined_s": round(joined_s, 2), "join_errors": errors}))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        conn_sem = asyncio.Semaphore(self.args.connect_concurrency)
        connect_fail = 0

        async def open_one(p: Player) -> None:
            nonlocal connect_fail
            if self.kind == "treatycraft" and not p.csrf:
                return
            async with conn_sem:
                try:
                    await self.open_socket(p)
                except Exception as exc:
                    connect_fail += 1
                    print(f"socket failed for player {p.pid}: {exc!r}", file=sys.stderr)

        t1 = time.monotonic()
        await asyncio.gather(*(open_one(p) for p in self.players))
        connected_s = time.monotonic() - t1
        for p in self.players:
            if p.ws is not None:
                self.receivers.append(asyncio.create_task(self.receive(p)))
        return {"joined_s": round(joined_s, 2), "connect_s": round(connected_s, 2),
                "join_errors": errors, "connect_fail": connect_fail, "connect_retries": self.connect_retries,
                "connected": sum(1 for p in self.players if p.ws is not None)}

    # -- receiving ----------------------------------------------------------------------------

    async def receive(self, player: Player) -> None:
        assert player.ws is not None
        try:
            async for frame in player.ws:
                now = time.time_ns()
                if not isinstance(frame, str):
                    continue
                if frame.startswith("{") and player.acks:  # the answer to a chat frame
                    with contextlib.suppress(ValueError):
                        answer = json.loads(frame)
                        waiting = player.acks.get(str(answer.get("token")))
                        if waiting is not None and not waiting.done():
                            waiting.set_result(answer)
                    continue
                if (self.kind == "baseline" or frame.startswith(CHAT_PUSH_PREFIX)) and "TCB-" in frame:
                    for m in MARK_RE.finditer(frame):
                        phase, pid, seq, sent = (int(x) for x in m.groups())
                        if phase != self.phase or (pid, seq) in player.seen:
                            continue
                        player.seen.add((pid, seq))
                        self.lat.append(now - sent)
                        self.sent_at.append(sent)
                        self.received += 1
                        self.last_recv = max(self.last_recv, now)
                        if self.expected and self.received >= self.expected:
                            self.all_in.set()
                    continue
                room = player.room.index
                if room in self.turn_t0:
                    self.turn_frame(player, frame, now)
                else:
                    self.other_frames += 1
        except Exception as exc:
            self.ws_errors += 1
            if self.ws_errors <= 5:
                print(f"socket of player {player.pid} failed: {exc!r}", file=sys.stderr)

    def turn_frame(self, player: Player, frame: str, now: int) -> None:
        room = player.room.index
        t0 = self.turn_t0[room]
        turn = self.turn_number[room]
        if not player.turn_public and 'id="public-results"' in frame and f"Turn {turn} resolved" in frame:
            player.turn_public = now
            self.turn_lat["public"].append(now - t0)
        at = frame.find('id="private-report"')
        if not player.turn_private and at >= 0:
            end = frame.find("</section>", at)
            if f"Turn {turn}" in frame[at:end if end > 0 else None]:
                player.turn_private = now
                self.turn_lat["private"].append(now - t0)
        if player.turn_public and player.turn_private and player.turn_public >= t0:
            self.turn_lat["both"].append(max(player.turn_public, player.turn_private) - t0)
            player.turn_public = player.turn_private = -1  # recorded
            players = self.by_room[room]
            if all(p.turn_public == -1 or p.ws is None for p in players):
                self.turn_done[room].set()

    # -- sending ------------------------------------------------------------------------------

    async def post_chat(self, player: Player, body: str) -> bool:
        if self.kind == "baseline":
            assert player.ws is not None
            await player.ws.send(json.dumps({"message": body}))
            return True
        if self.args.chat_over == "ws":  # chat frames on the game socket (static/js/chat-socket.js)
            assert player.ws is not None
            token = secrets.token_urlsafe(12)
            answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            player.acks[token] = answer
            try:
                await player.ws.send(json.dumps({"type": "chat", "body": body, "channel": "plenary",
                                                 "client_token": token}))
                got = await asyncio.wait_for(answer, 15)  # as long as an HTTP post may hang
            finally:
                player.acks.pop(token, None)
            if got.get("type") != "chat.ack":
                raise HttpError(f"chat frame: {got.get('status')} {got.get('message')}")
            return True
        pool = self.pools[player.base]
        code = player.room.code
        reply = await pool.request("POST", f"/g/{player.room.game_id}/chat/", player.jar, form={
            "body": body, "channel": "plenary", "client_token": secrets.token_urlsafe(12)}, headers={
            "X-CSRFToken": player.csrf, "HX-Request": "true", "Origin": player.base,
            "Referer": f"{player.base}/play/{code}/"})
        if reply.status != 200:
            raise HttpError(f"chat post: HTTP {reply.status}")
        return True

    async def chat(self, spec: dict[str, Any], start_ns: int) -> dict[str, Any]:
        rate = float(spec["rate"])
        duration = float(spec["duration"])
        kinds = set(spec.get("kinds", ["chat"]))
        senders = [p for p in self.players if p.room.kind in kinds and p.ws is not None]
        room_live = {idx: sum(1 for p in ps if p.ws is not None) for idx, ps in self.by_room.items()}
        stats = {"posted": 0, "post_errors": 0, "expected": 0, "skipped": 0}
        period = 1.0 / rate
        max_lag = self.args.max_lag

        async def sender(p: Player) -> None:
            # every `period` seconds from a random phase, within the phase's duration: at low rates
            # most players post once or not at all, and the room still sees `rate` per player
            start = start_ns / 1e9
            times = []
            t = random.random() * period
            while t < duration:
                times.append(start + t)
                t += period
            for seq, at in enumerate(times):
                wait = at - time.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                elif -wait > max_lag:
                    # the server is so far behind that this player's earlier posts still hang:
                    # a person would not type into a frozen page; count it and move on
                    stats["skipped"] += 1
                    continue
                now = time.time_ns()
                if not self.first_send or now < self.first_send:
                    self.first_send = now
                body = f"TCB-{self.phase}-{p.pid}-{seq}-{now} {PAD}"
                try:
                    ok = await self.post_chat(p, body)
                except Exception as exc:
                    ok = False
                    if stats["post_errors"] < 5:
                        print(f"post failed: {exc!r}", file=sys.stderr)
                if ok:
                    stats["posted"] += 1
                    stats["expected"] += room_live[p.room.index]
                    self.expected = stats["expected"]
                else:
                    stats["post_errors"] += 1

        tasks = [asyncio.create_task(sender(p)) for p in senders]
        _done, pending = await asyncio.wait(tasks, timeout=duration + max_lag + 10) if tasks else (set(), set())
        for task in pending:  # posts still hanging in an overloaded server: give up on them
            task.cancel()
        stats["post_errors"] += len(pending)
        send_end = time.time_ns()
        if self.received < self.expected:
            self.all_in.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.all_in.wait(), self.args.drain_timeout)
        return {**stats, "send_end": send_end}

    async def turn(self, room: Room, start_ns: int) -> dict[str, Any]:
        """Facilitator: negotiation -> orders; captains: one order each; facilitator: resolve."""
        players = [p for p in self.by_room[room.index] if p.ws is not None]
        base = players[0].base if players else self.args.url[0]
        pool = self.pools[base]
        hdrs = {"X-CSRFToken": self.fac_csrf, "HX-Request": "true", "Origin": base,
                "Referer": f"{base}/facilitate/{room.game_id}/"}
        result: dict[str, Any] = {"room": room.index, "players": len(players), "errors": 0}
        delay = start_ns / 1e9 - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        turn = 1
        reply = await pool.request("POST", f"/facilitate/{room.game_id}/advance/", self.fac_jar, headers=hdrs,
                                   form={"phase": "negotiation", "turn": str(turn), "reason": "bench"})
        result["to_orders_status"] = reply.status
        order_ok = 0
        for p in players:
            if not p.captain:
                continue
            r = await self.pools[p.base].request("POST", f"/g/{room.game_id}/orders/add/", p.jar, form={
                "type": "BUILD", "class": "SRBM", "qty": "1", "client_token": secrets.token_urlsafe(12)},
                headers={"X-CSRFToken": p.csrf, "HX-Request": "true", "Origin": p.base,
                         "Referer": f"{p.base}/play/{room.code}/"})
            order_ok += r.status == 200 and 'class="error"' not in r.text
        result["orders_accepted"] = order_ok
        await asyncio.sleep(self.args.turn_settle)  # let the phase-change pushes land first
        self.turn_done[room.index] = asyncio.Event()
        self.turn_number[room.index] = turn
        t0 = time.time_ns()
        self.turn_t0[room.index] = t0
        result["t0_ns"] = t0
        reply = await pool.request("POST", f"/facilitate/{room.game_id}/advance/", self.fac_jar, headers=hdrs,
                                   form={"phase": "orders", "turn": str(turn), "reason": "bench"})
        result["resolve_http_ms"] = round((time.time_ns() - t0) / 1e6, 1)
        result["resolve_status"] = reply.status
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.turn_done[room.index].wait(), self.args.drain_timeout)
        result["screens_reached"] = len(self.turn_lat["both"])
        del self.turn_t0[room.index]
        return result

    async def run_phase(self, spec: dict[str, Any], start_ns: int) -> dict[str, Any]:
        self.phase = int(spec["id"])
        self.lat = array("q")
        self.sent_at = array("q")
        self.received = self.expected = 0
        self.first_send = self.last_recv = 0
        self.turn_lat = {"public": array("q"), "private": array("q"), "both": array("q")}
        for p in self.players:
            p.seen.clear()
            p.turn_public = p.turn_private = 0
        errors_before = self.ws_errors
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        jobs: list[Any] = [self.chat(spec, start_ns)]
        turn_rooms = [r for r in self.rooms if r.kind == "turn"] if spec.get("turn") else []
        jobs += [self.turn(r, start_ns + int(float(spec["turn"]) * 1e9)) for r in turn_rooms]
        outcomes = await asyncio.gather(*jobs)
        t0s = [t["t0_ns"] for t in outcomes[1:] if t.get("t0_ns")]
        chat = outcomes[0]
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "lat": self.lat.tobytes(), "sent_at": self.sent_at.tobytes(), "received": self.received, "expected": chat["expected"],
            "posted": chat["posted"], "post_errors": chat["post_errors"], "skipped": chat["skipped"],
            "first_send": self.first_send,
            "last_recv": self.last_recv, "send_end": chat["send_end"], "ws_errors": self.ws_errors - errors_before,
            "turns": outcomes[1:], "turn_t0": t0s, "turn_lat": {k: v.tobytes() for k, v in self.turn_lat.items()},
            "client_cpu_s": (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime),
        }

    async def close(self) -> None:
        for t in self.receivers:
            t.cancel()

        async def close_one(p: Player) -> None:
            if p.ws is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(p.ws.close(), 3)

        sem = asyncio.Semaphore(100)

        async def gated(p: Player) -> None:
            async with sem:
                await close_one(p)

        await asyncio.gather(*(gated(p) for p in self.players))
        for pool in self.pools.values():
            await pool.close()


async def worker_main(args: argparse.Namespace, rooms: list[Room], facilitator: dict[str, Any], first_pid: int,
                      conn: Any) -> None:
    worker = Worker(args, rooms, facilitator, first_pid)
    info = await worker.setup(conn)
    loop = asyncio.get_running_loop()
    conn.send(("ready", info))
    while True:
        kind, payload = await loop.run_in_executor(None, conn.recv)
        if kind == "phase":
            spec, start_ns = payload
            conn.send(("result", await worker.run_phase(spec, start_ns)))
        elif kind == "close":
            await worker.close()
            conn.send(("closed", None))
            return


def worker_entry(args: argparse.Namespace, rooms: list[Room], facilitator: dict[str, Any], first_pid: int,
                 conn: Any) -> None:
    try:
        asyncio.run(worker_main(args, rooms, facilitator, first_pid, conn))
    except BaseException as exc:
        conn.send(("error", repr(exc)))
        raise


# --- The parent: plan, run, measure, report ----------------------------------------------------


def build_rooms(args: argparse.Namespace, target: str) -> list[Room]:
    if target == "treatycraft" and args.players_file:
        seeded = json.loads(Path(args.players_file).read_text())["rooms"]
        return [Room(index=r["index"], size=r["size"], kind=r["kind"], game_id=r["game_id"], code=r["code"],
                     seeded=r["players"]) for r in seeded if r["kind"] == "chat" or "turn" in args.scenario]
    rooms = [Room(index=i, size=args.room_size, kind="chat") for i in range(args.rooms)]
    if target == "treatycraft" and args.big_room and "turn" in args.scenario:
        rooms.append(Room(index=len(rooms), size=args.big_room, kind="turn"))
    return rooms


class Session:
    """One target's players, connected, in --workers processes."""

    def __init__(self, args: argparse.Namespace, target: str, watch: procstats.Watch | None):
        self.args = args
        self.target = target
        self.watch = watch
        self.rooms = build_rooms(args, target)
        self.pipes: list[Any] = []
        self.procs: list[Any] = []
        self.phase_id = 0
        self.setup_info: dict[str, Any] = {}

    def start(self) -> dict[str, Any]:
        args = self.args
        args.target_now = self.target
        facilitator: dict[str, Any] = {}
        t0 = time.monotonic()
        if self.target == "treatycraft":
            user, _, password = args.facilitator.partition(":")
            if args.players_file:
                facilitator = asyncio.run(facilitator_only(args.url[0], user, password, self.rooms[0].game_id))
            else:
                facilitator = asyncio.run(create_games(args.url[0], self.rooms, user, password))
        games_s = time.monotonic() - t0
        chunks: list[list[Room]] = [self.rooms[w::args.workers] for w in range(args.workers)]
        ctx = mp.get_context("fork")
        first = 0
        for chunk in chunks:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_entry, args=(args, chunk, facilitator, first, child), daemon=True)
            first += sum(r.size for r in chunk)
            proc.start()
            self.procs.append(proc)
            self.pipes.append(parent)
        for pipe in self.pipes:
            self.expect(pipe, "joined", args.max_seconds)
        time.sleep(args.settle)
        before = self.watch.sample() if self.watch else None
        for pipe in self.pipes:
            pipe.send(("connect", None))
        infos = [self.expect(pipe, "ready", args.max_seconds) for pipe in self.pipes]
        time.sleep(args.settle)
        after = self.watch.sample() if self.watch else None
        connected = sum(i["connected"] for i in infos)
        self.setup_info = {
            "target": self.target, "rooms": len(self.rooms), "players": sum(r.size for r in self.rooms),
            "connected": connected, "games_s": round(games_s, 2),
            "join_s": max(i["joined_s"] for i in infos), "connect_s": max(i["connect_s"] for i in infos),
            "join_errors": sum(i["join_errors"] for i in infos), "connect_fail": sum(i["connect_fail"] for i in infos),
            "connect_retries": sum(i["connect_retries"] for i in infos),
        }
        if before and after and connected:
            grown = sum(after.rss[p] - before.rss[p] for p in after.rss)
            self.setup_info["rss_before_sockets_mib"] = [round(before.rss[p] / 2**20, 1) for p in before.rss]
            self.setup_info["rss_after_sockets_mib"] = [round(after.rss[p] / 2**20, 1) for p in after.rss]
            self.setup_info["kib_per_connection"] = round(grown / connected / 1024, 1)
        return self.setup_info

    @staticmethod
    def expect(pipe: Any, kind: str, timeout: float) -> Any:
        if not pipe.poll(timeout):
            raise SystemExit(f"a worker did not answer ({kind}) within {timeout} s")
        got, payload = pipe.recv()
        if got != kind:
            raise SystemExit(f"worker failed: {payload}")
        return payload

    def wait_idle(self) -> float:
        """Wait until the servers are idle again (a previous phase's backlog drained), at most
        --idle-wait seconds; returns the seconds waited."""
        if not self.watch:
            return 0.0
        started = time.monotonic()
        while time.monotonic() - started < self.args.idle_wait:
            a = self.watch.sample()
            time.sleep(1.0)
            b = self.watch.sample()
            busiest = max((b.servers[p] - a.servers.get(p, 0.0)) / max(1e-9, b.at - a.at) for p in b.servers)
            if busiest * 100 < self.args.idle_cpu:
                break
        return round(time.monotonic() - started, 1)

    def phase(self, name: str, rate: float, duration: float, turn_at: float | None = None) -> dict[str, Any]:
        waited = self.wait_idle()
        self.phase_id += 1
        spec = {"id": self.phase_id, "rate": rate, "duration": duration, "kinds": ["chat"]}
        if turn_at is not None:
            spec["turn"] = turn_at
        start_ns = time.time_ns() + 300_000_000
        before = self.watch.sample() if self.watch else None
        for pipe in self.pipes:
            pipe.send(("phase", (spec, start_ns)))
        results = [self.expect(p, "result", duration + self.args.drain_timeout * 2 + 120) for p in self.pipes]
        after = self.watch.sample() if self.watch else None
        out = summarize(name, self.target, rate, duration, results, self.rooms)
        out["waited_for_idle_s"] = waited
        if before and after:
            out["resources"] = procstats.Watch.delta(before, after, sum(r["client_cpu_s"] for r in results))
        return out

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(("close", None))
        for pipe in self.pipes:
            with contextlib.suppress(SystemExit):
                self.expect(pipe, "closed", 60)
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()


def summarize(name: str, target: str, rate: float, duration: float, results: list[dict[str, Any]],
              rooms: list[Room]) -> dict[str, Any]:
    lat, sent_at = array("q"), array("q")
    for r in results:
        part = array("q")
        part.frombytes(r["lat"])
        lat.extend(part)
        part = array("q")
        part.frombytes(r.get("sent_at", b""))
        sent_at.extend(part)
    ms = sorted(v / 1e6 for v in lat)
    received = sum(r["received"] for r in results)
    expected = sum(r["expected"] for r in results)
    first = min((r["first_send"] for r in results if r["first_send"]), default=0)
    last = max((r["last_recv"] for r in results), default=0)
    span = (last - first) / 1e9 if first and last > first else None
    chat_players = sum(r.size for r in rooms if r.kind == "chat")
    chat_room_size = max((r.size for r in rooms if r.kind == "chat"), default=0)
    out: dict[str, Any] = {
        "scenario": name, "target": target, "rate_per_player": rate, "duration_s": duration,
        "players_posting": chat_players,
        "offered_per_s": round(chat_players * rate * chat_room_size, 1),
        "posted": sum(r["posted"] for r in results), "expected": expected, "received": received,
        # A post the client gave up on (counted in errors) may still have been carried out and
        # pushed: those pushes are not "negative losses" but a separate figure.
        "lost": max(0, expected - received), "delivered_after_timeout": max(0, received - expected),
        "errors": sum(r["post_errors"] + r["ws_errors"] for r in results),
        "skipped": sum(r.get("skipped", 0) for r in results),
        "delivered_per_s": round(received / span, 1) if span else 0.0,
        "p50_ms": _round(pct(ms, 50)), "p95_ms": _round(pct(ms, 95)), "p99_ms": _round(pct(ms, 99)),
        "max_ms": _round(ms[-1] if ms else None),
    }
    out["timeline"] = timeline(lat, sent_at, first, [t for r in results for t in r.get("turn_t0", [])])
    turns = [t for r in results for t in r["turns"]]
    if turns:
        section: dict[str, Any] = {"rooms": turns}
        for kind in ("public", "private", "both"):
            values = array("q")
            for r in results:
                part = array("q")
                part.frombytes(r["turn_lat"][kind])
                values.extend(part)
            tms = sorted(v / 1e6 for v in values)
            section[kind] = {"screens": len(tms), "p50_ms": _round(pct(tms, 50)), "p99_ms": _round(pct(tms, 99)),
                             "max_ms": _round(tms[-1] if tms else None)}
        section["expected_screens"] = sum(t["players"] for t in turns)
        out["turn"] = section
    return out


def timeline(lat: array[int], sent_at: array[int], first: int, turn_t0: list[int]) -> dict[str, Any]:
    """Latency by the second its post started (since the phase's first post): where in the run the
    tail is (the turn's burst at a known second, or spread over the run), and when the turn began."""
    by_second: dict[int, list[float]] = {}
    for v, at in zip(lat, sent_at, strict=False):
        by_second.setdefault(max(0, (at - first) // 1_000_000_000), []).append(v / 1e6)
    seconds = []
    for sec in sorted(by_second):
        values = sorted(by_second[sec])
        seconds.append([sec, len(values), _round(pct(values, 50)), _round(pct(values, 99)), _round(values[-1])])
    return {"columns": ["second", "pushes", "p50_ms", "p99_ms", "max_ms"], "seconds": seconds,
            "turn_at_s": [round((t - first) / 1e9, 2) for t in turn_t0] if first else []}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def kept(step: dict[str, Any], args: argparse.Namespace) -> bool:
    """A step the server kept up with: everything delivered, nothing skipped or failed, p99 within
    the bound, and the delivered rate close to the offered one (short steps are noisy: 75 %)."""
    return bool(step["lost"] <= 0 and step["errors"] == 0 and step.get("skipped", 0) == 0
            and (step["p99_ms"] or 0) <= args.ramp_p99_ms
            and step["delivered_per_s"] >= 0.75 * step["offered_per_s"])


def ramp(session: Session, args: argparse.Namespace) -> dict[str, Any]:
    chat_players = sum(r.size for r in session.rooms if r.kind == "chat")
    offered = args.baseline_ramp_start if session.target.startswith("baseline") else args.ramp_start
    steps = []
    while offered <= args.ramp_max:
        rate = offered / (chat_players * args.room_size)
        step = session.phase("ramp", rate, args.ramp_step_seconds)
        steps.append(step)
        print(row(step), file=sys.stderr, flush=True)
        kept_up = kept(step, args)
        if not kept_up:
            break
        offered *= args.ramp_factor
        if args.ramp_pause:
            time.sleep(args.ramp_pause)
    good = [s for s in steps if kept(s, args)]
    return {
        "scenario": "ramp", "target": session.target, "steps": steps,
        "saturation_per_s": max((s["delivered_per_s"] for s in steps), default=0.0),
        "sustained_per_s": max((s["delivered_per_s"] for s in good), default=0.0),
    }


HEADER = f"{'target':<20} {'scenario':<8} {'offered/s':>9} {'deliv/s':>9} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>8} {'lost':>6} {'err':>4} {'skip':>5} {'srv CPU%':>12} {'RSS MiB':>12}"


def row(r: dict[str, Any]) -> str:
    res = r.get("resources", {})
    cpu = "/".join(f"{c:.0f}" for c in res.get("server_cpu_pct", [])) or "-"
    rss = "/".join(f"{m:.0f}" for m in res.get("server_rss_mib", [])) or "-"
    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.1f}"
    return (f"{r['target']:<20} {r['scenario']:<8} {r['offered_per_s']:>9.0f} {r['delivered_per_s']:>9.0f} "
            f"{f(r['p50_ms']):>7} {f(r['p95_ms']):>7} {f(r['p99_ms']):>7} {f(r['max_ms']):>8} {r['lost']:>6} "
            f"{r['errors']:>4} {r.get('skipped', 0):>5} {cpu:>12} {rss:>12}")


def run_target(args: argparse.Namespace, target: str, watch: procstats.Watch | None) -> dict[str, Any]:
    session = Session(args, target, watch)
    out: dict[str, Any] = {"target": target, "setup": session.start(), "results": []}
    print(f"{target}: {json.dumps(out['setup'])}", file=sys.stderr, flush=True)
    try:
        for scenario in args.scenario:
            if scenario == "paced":
                r = session.phase("paced", args.rate, args.duration)
                print(row(r), file=sys.stderr, flush=True)
                out["results"].append(r)
            elif scenario == "ramp":
                out["results"].append(ramp(session, args))
            elif scenario == "turn" and target == "treatycraft":
                r = session.phase("turn", args.rate, args.turn_duration, turn_at=args.turn_at)
                print(row(r) + f"  turn: {json.dumps(r.get('turn', {}).get('both'))}", file=sys.stderr, flush=True)
                out["results"].append(r)
            if args.pause:
                time.sleep(args.pause)
    finally:
        session.close()
    return out


def print_tables(report: dict[str, Any]) -> None:
    print(HEADER)
    for run in report["runs"]:
        for r in run["results"]:
            if r["scenario"] == "ramp":
                for s in r["steps"]:
                    print(row(s))
                print(f"{run['target']:<20} ramp     saturation {r['saturation_per_s']:.0f}/s, "
                      f"sustained (p99 within bound, nothing lost) {r['sustained_per_s']:.0f}/s")
            else:
                print(row(r))
                if "turn" in r:
                    t = r["turn"]
                    print(f"{'':<20} turn: {t['both']['screens']}/{t['expected_screens']} screens, p50 "
                          f"{t['both']['p50_ms']} ms, p99 {t['both']['p99_ms']} ms, max {t['both']['max_ms']} ms "
                          f"(public p99 {t['public']['p99_ms']}, private p99 {t['private']['p99_ms']})")
    for key, value in report.get("ratios", {}).items():
        print(f"ratio {key}: {value}")


def ratios(report: dict[str, Any]) -> dict[str, Any]:
    """Treatycraft against each baseline measured in the same run."""
    by = {run["target"]: run for run in report["runs"]}
    tc_run = by.get("treatycraft")
    if tc_run is None:
        return {}

    def first(run: dict[str, Any], name: str) -> dict[str, Any] | None:
        return next((r for r in run["results"] if r["scenario"] == name), None)

    out: dict[str, Any] = {}
    for target, run in by.items():
        if not target.startswith("baseline"):
            continue
        tc, base = first(tc_run, "ramp"), first(run, "ramp")
        if tc and base and base["saturation_per_s"]:
            out[f"saturation vs {target}"] = round(tc["saturation_per_s"] / base["saturation_per_s"], 2)
            if base["sustained_per_s"]:
                out[f"sustained vs {target}"] = round(tc["sustained_per_s"] / base["sustained_per_s"], 2)
        tc, base = first(tc_run, "paced"), first(run, "paced")
        if tc and base and base["p99_ms"] and tc["p99_ms"]:
            out[f"paced p99 vs {target}"] = round(tc["p99_ms"] / base["p99_ms"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", action="append", required=True,
                    help="a server process, http://127.0.0.1:PORT (repeat for several processes)")
    ap.add_argument("--target", choices=["treatycraft", "baseline", "both"], default="both")
    ap.add_argument("--baseline", action="append", choices=["stock", "fast", "core-stock", "core-fast"],
                    help="baseline consumer variant(s) (default stock; see bench/routing.py)")
    ap.add_argument("--facilitator", default="bench:bench-password-123", help="USER:PASSWORD of a facilitator")
    ap.add_argument("--scenario", default="paced", help="comma-separated: paced, ramp, turn")
    ap.add_argument("--rooms", type=int, default=100, help="chat rooms (one game each)")
    ap.add_argument("--players-file", help="players seated by bench/seed.py instead of joining over HTTP")
    ap.add_argument("--chat-over", choices=["http", "ws"], default="http",
                    help="post chat through the HTTP endpoint (the game today) or as a socket frame "
                         "(for a server that accepts them: an experiment, see docs/performance.md)")
    ap.add_argument("--room-size", type=int, default=10)
    ap.add_argument("--big-room", type=int, default=30, help="players of the turn scenario's room")
    ap.add_argument("--rate", type=float, default=0.1, help="messages per second per player (paced, turn)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of the paced scenario")
    ap.add_argument("--ramp-start", type=float, default=500.0, help="first ramp step, deliveries/s")
    ap.add_argument("--baseline-ramp-start", type=float, default=800.0, help="first ramp step of the baseline")
    ap.add_argument("--ramp-factor", type=float, default=1.5)
    ap.add_argument("--ramp-max", type=float, default=30000.0)
    ap.add_argument("--ramp-step-seconds", type=float, default=8.0)
    ap.add_argument("--ramp-p99-ms", type=float, default=1000.0, help="a step whose p99 exceeds this ends the ramp")
    ap.add_argument("--ramp-pause", type=float, default=1.0, help="seconds between ramp steps")
    ap.add_argument("--turn-at", type=float, default=5.0, help="seconds into the turn scenario the turn starts")
    ap.add_argument("--turn-duration", type=float, default=20.0, help="seconds the other rooms chat meanwhile")
    ap.add_argument("--turn-settle", type=float, default=2.0)
    ap.add_argument("--workers", type=int, default=1, help="client processes")
    ap.add_argument("--http-connections", type=int, default=48, help="keep-alive connections per worker and server")
    ap.add_argument("--join-concurrency", type=int, default=8, help="rooms joining at once per worker")
    ap.add_argument("--connect-concurrency", type=int, default=10)
    ap.add_argument("--drain-timeout", type=float, default=15.0)
    ap.add_argument("--max-lag", type=float, default=5.0,
                    help="a post more than this many seconds behind its schedule is skipped (counted)")
    ap.add_argument("--idle-cpu", type=float, default=20.0, help="a server below this CP%% counts as idle")
    ap.add_argument("--idle-wait", type=float, default=60.0, help="most seconds to wait for idle servers")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds to wait after connecting")
    ap.add_argument("--pause", type=float, default=2.0, help="seconds between scenarios")
    ap.add_argument("--max-seconds", type=float, default=600.0, help="cap on setup time")
    ap.add_argument("--server-pid", type=int, action="append", help="server process ids (default: found by port)")
    ap.add_argument("--json", help="write the results here as JSON")
    ap.add_argument("--label", default="", help="a name for this configuration in the report")
    args = ap.parse_args()
    args.scenario = [s.strip() for s in args.scenario.split(",") if s.strip()]
    args.url = [u.rstrip("/") for u in args.url]
    if any(urlsplit(u).hostname not in {"127.0.0.1", "localhost"} for u in args.url):
        ap.error("the load generator only talks to loopback servers")

    pids = args.server_pid or [p for p in (procstats.pid_listening_on(urlsplit(u).port or 80) for u in args.url) if p]
    watch = procstats.Watch(pids, procstats.redis_pid()) if pids else None
    baselines = [f"baseline:{v}" for v in (args.baseline or ["stock"])]
    targets = {"both": ["treatycraft", *baselines], "treatycraft": ["treatycraft"], "baseline": baselines}[args.target]
    report: dict[str, Any] = {"label": args.label, "urls": args.url, "server_pids": pids, "args": {
        k: v for k, v in vars(args).items() if k not in {"url", "server_pid", "json"}}, "runs": []}
    started = time.time()
    for target in targets:
        report["runs"].append(run_target(args, target, watch))
        time.sleep(args.pause)
    report["ratios"] = ratios(report)
    report["elapsed_s"] = round(time.time() - started, 1)
    print_tables(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
