"""Is a well-formed order allowed? One checker per order type (the B3 validation table).

:func:`check_order` dispatches on the order's class with ``match`` (``assert_never`` makes a new
order type without a checker a type error). A checker reads the start-of-turn state and the
running budget and inventory (:class:`Running`), updates the latter, and raises
:class:`RuleViolation` when the order breaks a rule. Checkers only read what the submitting state
may know (its own posture and public data), so an error never leaks hidden facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from game_engine.errors import RuleCode, RuleViolation
from game_engine.orders.rules import (
    Running,
    active_consent,
    has_agreement,
    in_force,
    is_party,
    order_cost,
)
from game_engine.orders.specs import AGREE_KIND, SPEC_BY_TYPE
from game_engine.orders.types import (
    Accept,
    AcceptImport,
    Agree,
    AgreeDataExchange,
    AgreeHotline,
    AgreeNotification,
    Build,
    BuildRadar,
    BuyInterceptors,
    ChallengeInspection,
    Command,
    ConsentHosting,
    Declare,
    DeclareLimits,
    Deploy,
    EconomicPressure,
    Export,
    Inspect,
    InvestNtm,
    Invite,
    InviteObservers,
    JointExercise,
    MissileTest,
    Payment,
    PublishEvidence,
    Reduce,
    Research,
    RevokeConsent,
    SetChallengePolicy,
    SetConcealment,
    SetRadarMode,
    SetSensorSharing,
    ShareEvidence,
    Sign,
    Withdraw,
    WithdrawDeployment,
)
from game_engine.params import CLASS_ORDER, Params
from game_engine.state import GameState, Nation, Site, Treaty


def _bad(msg: str) -> RuleViolation:
    return RuleViolation(RuleCode.E_BAD_PARAM, msg)


def _term_int(t: Treaty, key: str, default: int) -> int:
    v = t.terms.get(key, default)
    return v if isinstance(v, int) and not isinstance(v, bool) else default


def _term_bool(t: Treaty, key: str, default: bool) -> bool:
    v = t.terms.get(key, default)
    return v if isinstance(v, bool) else default


@dataclass(slots=True)
class Check:
    """One order's checking context: who orders, against which state, with what left."""

    state: GameState
    actor: str
    run: Running

    @property
    def nat(self) -> Nation:
        return self.state.nations[self.actor]

    @property
    def me(self) -> str:
        return self.state.name_of(self.actor)

    @property
    def p(self) -> Params:
        return self.state.scenario.params

    def other(self, sid: str) -> str:
        """Another state named by the order."""
        if sid not in self.state.state_ids:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown state {sid!r}.")
        if sid == self.actor:
            raise _bad(f"{self.me} cannot do this with itself.")
        return sid

    def site(self, sid: str) -> Site:
        site = self.state.site(sid)
        if site is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown site {sid!r}.")
        return site

    def treaty(self, tid: str) -> Treaty:
        tr = self.state.treaty(tid)
        if tr is None:
            raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown treaty {tid!r}.")
        return tr


def check_order(state: GameState, actor: str, o: Command, run: Running) -> int:
    """Validate ``o`` for ``actor`` against the start-of-turn state and ``run``; apply it to ``run``.

    Returns the cost. Raises ``RuleViolation`` with a plain-English message (B3 table).
    """
    c = Check(state, actor, run)
    # Builds and interceptor purchases check their budget themselves (their message names what).
    flat_cost = None if isinstance(o, (Build, BuyInterceptors)) else order_cost(state, actor, o)
    match o:
        case Build():
            check_build(c, o)
        case Reduce():
            check_reduce(c, o)
        case MissileTest():
            check_test(c, o)
        case Export():
            check_export(c, o)
        case AcceptImport():
            check_accept_import(c, o)
        case BuyInterceptors():
            check_buy_interceptors(c, o)
        case Deploy():
            check_deploy(c, o)
        case WithdrawDeployment():
            check_withdraw_deployment(c, o)
        case BuildRadar():
            check_build_radar(c, o)
        case SetRadarMode():
            check_set_radar_mode(c, o)
        case SetSensorSharing():
            check_set_sensor_sharing(c, o)
        case ConsentHosting():
            check_consent_hosting(c, o)
        case RevokeConsent():
            check_revoke_consent(c, o)
        case Payment():
            c.other(o.to)
        case Declare() | SetChallengePolicy():
            pass
        case AgreeHotline() | AgreeNotification() | AgreeDataExchange():
            check_agree(c, o)
        case DeclareLimits():
            check_declare_limits(c, o)
        case JointExercise() | InviteObservers():
            check_invite(c, o)
        case Accept():
            c.other(o.partner)
        case Inspect():
            check_inspect(c, o)
        case ChallengeInspection():
            check_challenge_inspection(c, o)
        case InvestNtm():
            check_invest_ntm(c, o)
        case SetConcealment():
            check_set_concealment(c, o)
        case PublishEvidence():
            check_publish_evidence(c, o)
        case ShareEvidence():
            check_share_evidence(c, o)
        case Sign():
            check_sign(c, o)
        case Withdraw():
            check_withdraw(c, o)
        case EconomicPressure():
            check_economic_pressure(c, o)
        case Research():
            check_research(c, o)
        case _:
            assert_never(o)
    if flat_cost is None:
        cost = order_cost(state, actor, o)
    else:
        cost = flat_cost
        if cost > run.budget:
            raise RuleViolation(
                RuleCode.E_BUDGET,
                f"{c.me} cannot afford {SPEC_BY_TYPE[o.type].label.lower()}: costs {cost}, "
                f"budget left {run.budget}.",
            )
    run.budget -= cost
    return cost


# ------------------------------------------------------------------------------ offense


def check_build(c: Check, o: Build) -> None:
    nat, run, me = c.nat, c.run, c.me
    if o.cls not in nat.tech:
        raise RuleViolation(RuleCode.E_NO_TECH, f"{me} has no production technology for {o.cls}.")
    cap = nat.prod_cap.get(o.cls, 0)
    if run.built.get(o.cls, 0) + o.qty > cap:
        left = cap - run.built.get(o.cls, 0)
        raise RuleViolation(
            RuleCode.E_CAPACITY,
            f"{me} can build at most {cap} {o.cls} per turn ({max(0, left)} left this turn).",
        )
    cost = order_cost(c.state, c.actor, o)
    if cost > run.budget:
        raise RuleViolation(
            RuleCode.E_BUDGET,
            f"{me} cannot afford {o.qty} {o.cls}: costs {cost}, budget left {run.budget}.",
        )
    run.built[o.cls] = run.built.get(o.cls, 0) + o.qty
    run.missiles[o.cls] = run.missiles.get(o.cls, 0) + o.qty


def check_reduce(c: Check, o: Reduce) -> None:
    have = c.run.missiles.get(o.cls, 0)
    if o.qty > have:
        raise RuleViolation(
            RuleCode.E_NEGATIVE, f"{c.me} has only {have} {o.cls}; cannot eliminate {o.qty}."
        )
    c.run.missiles[o.cls] -= o.qty


def check_test(c: Check, o: MissileTest) -> None:
    nat, p = c.nat, c.p
    if o.cls not in nat.tech and o.cls not in nat.developing and nat.missiles.get(o.cls, 0) <= 0:
        raise RuleViolation(
            RuleCode.E_NO_TECH, f"{c.me} neither owns {o.cls} nor has a {o.cls} programme to test."
        )
    if c.run.tests + 1 > p.max_tests_per_turn:
        raise RuleViolation(
            RuleCode.E_TOO_MANY_TESTS, f"At most {p.max_tests_per_turn} tests per turn."
        )
    c.run.tests += 1


def check_export(c: Check, o: Export) -> None:
    c.other(o.to)
    if o.tech:
        if o.cls not in c.nat.tech:
            raise RuleViolation(RuleCode.E_NO_TECH, f"{c.me} has no {o.cls} technology to export.")
        return
    if o.qty <= 0:
        raise _bad("Export at least one missile (or tick 'technology').")
    have = c.run.missiles.get(o.cls, 0)
    if o.qty > have:
        raise RuleViolation(RuleCode.E_NEGATIVE, f"{c.me} has only {have} {o.cls} to export.")
    c.run.missiles[o.cls] -= o.qty


def check_accept_import(c: Check, o: AcceptImport) -> None:
    c.other(o.supplier)
    if not o.tech and o.qty <= 0:
        raise _bad("Accept at least one missile (or tick 'technology').")


# ------------------------------------------------------------------------------ defense


def check_buy_interceptors(c: Check, o: BuyInterceptors) -> None:
    run = c.run
    cost = order_cost(c.state, c.actor, o)
    if cost > run.budget:
        raise RuleViolation(
            RuleCode.E_BUDGET,
            f"{c.me} cannot afford {o.qty} {o.itype} interceptors: costs {cost}, budget left {run.budget}.",
        )
    run.store[o.itype] = run.store.get(o.itype, 0) + o.qty


def check_deploy(c: Check, o: Deploy) -> None:
    state, actor, run = c.state, c.actor, c.run
    site = c.site(o.site)
    it, q = o.itype, o.qty
    if it not in site.allowed:
        raise _bad(f"{site.id} takes only {', '.join(site.allowed)} interceptors.")
    consent = None
    if site.owner == actor or site.owner == "":
        if site.host != actor:
            consent = active_consent(state, site.id, actor)
    else:
        raise RuleViolation(
            RuleCode.E_NO_CONSENT, f"{site.id} belongs to {state.name_of(site.owner)}."
        )
    if q > run.store.get(it, 0):
        raise RuleViolation(
            RuleCode.E_NEGATIVE,
            f"{c.me} has only {run.store.get(it, 0)} {it} interceptors in store; cannot deploy {q}.",
        )
    now = sum(run.deployed[site.id].values())
    if now + q > site.capacity:
        raise RuleViolation(
            RuleCode.E_SITE_CAPACITY,
            f"{site.id} holds at most {site.capacity} interceptors ({now} there now).",
        )
    if consent is not None and now + q > consent.max_interceptors:
        raise RuleViolation(
            RuleCode.E_SITE_CAPACITY,
            f"{state.name_of(site.host)}'s consent allows at most {consent.max_interceptors} "
            f"interceptors at {site.id} ({now} there now).",
        )
    run.store[it] -= q
    run.deployed[site.id][it] = run.deployed[site.id].get(it, 0) + q


def check_withdraw_deployment(c: Check, o: WithdrawDeployment) -> None:
    run = c.run
    site = c.site(o.site)
    if site.owner != c.actor:
        raise RuleViolation(RuleCode.E_NOT_OWNER, f"Only the owner can withdraw from {site.id}.")
    have = run.deployed[site.id].get(o.itype, 0)
    if o.qty > have:
        raise RuleViolation(
            RuleCode.E_NEGATIVE, f"{site.id} has only {have} {o.itype} interceptors to withdraw."
        )
    run.deployed[site.id][o.itype] = have - o.qty
    run.store[o.itype] = run.store.get(o.itype, 0) + o.qty


def check_build_radar(c: Check, o: BuildRadar) -> None:
    actor = c.actor
    site = c.site(o.site)
    if site.owner not in (actor, "") or (site.owner == "" and site.host != actor):
        raise RuleViolation(RuleCode.E_NOT_OWNER, f"{c.me} does not operate {site.id}.")
    new_q = c.run.radar[site.id] + c.p.radar_level_step * o.levels
    limit = site.radar_max_q
    if site.host != actor:
        cons = active_consent(c.state, site.id, actor)
        limit = min(limit, cons.max_radar_q if cons else site.radar_q)
    if new_q > limit + 1e-9:
        raise RuleViolation(
            RuleCode.E_CAPACITY, f"The radar at {site.id} cannot exceed quality {limit:g}."
        )
    c.run.radar[site.id] = new_q


def _pending(c: Check, site: Site) -> bool:
    """A candidate site may be consented to the actor this very turn: resolution checks the
    consent and its terms after matching, as for DEPLOY (B3 step 3)."""
    return c.p.rules >= 2 and site.owner == "" and site.host != c.actor


def _operated_site(c: Check, site_id: str) -> Site:
    site = c.site(site_id)
    if site.owner != c.actor and not _pending(c, site):
        raise RuleViolation(RuleCode.E_NOT_OWNER, f"{c.me} does not operate {site.id}.")
    return site


def check_set_radar_mode(c: Check, o: SetRadarMode) -> None:
    site = _operated_site(c, o.site)
    if site.host != c.actor and not _pending(c, site) and o.mode == "forward":
        cons = active_consent(c.state, site.id, c.actor)
        if cons is None or not cons.forward_allowed:
            raise RuleViolation(
                RuleCode.E_NO_CONSENT,
                f"{c.state.name_of(site.host)} has not allowed forward mode at {site.id}.",
            )


def check_set_sensor_sharing(c: Check, o: SetSensorSharing) -> None:
    site = _operated_site(c, o.site)
    if site.host != c.actor and not _pending(c, site) and o.sharing:
        cons = active_consent(c.state, site.id, c.actor)
        if cons is None or not cons.sensor_sharing_allowed:
            raise RuleViolation(
                RuleCode.E_NO_CONSENT,
                f"{c.state.name_of(site.host)} has not allowed sensor sharing at {site.id}.",
            )


# ------------------------------------------------------------------------------ sovereignty


def check_consent_hosting(c: Check, o: ConsentHosting) -> None:
    state, p, nat = c.state, c.p, c.nat
    owner = c.other(o.owner)
    site = c.site(o.site)
    if site.host != c.actor:
        raise RuleViolation(
            RuleCode.E_NOT_OWNER, f"Only {state.name_of(site.host)} can consent for {site.id}."
        )
    if site.owner not in ("", owner):
        raise _bad(f"{site.id} is operated by {state.name_of(site.owner)}.")
    existing = active_consent(state, site.id)
    if existing is not None and existing.owner != owner:
        raise _bad(f"{site.id} already hosts {state.name_of(existing.owner)}.")
    if nat.ds < p.theta_consent:
        raise RuleViolation(
            RuleCode.E_DS_TOO_LOW,
            f"{c.me}'s domestic support ({nat.ds:.0f}) is below {p.theta_consent:.0f}, "
            "needed to consent to a foreign site.",
        )
    if o.max_interceptors > site.capacity:
        raise RuleViolation(
            RuleCode.E_SITE_CAPACITY, f"{site.id} holds at most {site.capacity} interceptors."
        )


def check_revoke_consent(c: Check, o: RevokeConsent) -> None:
    owner = c.other(o.owner)
    site = c.site(o.site)
    if site.host != c.actor:
        raise RuleViolation(
            RuleCode.E_NOT_OWNER, f"Only the host can revoke consent for {site.id}."
        )
    cons = active_consent(c.state, site.id, owner)
    if cons is None:
        raise RuleViolation(RuleCode.E_UNKNOWN, f"There is no consent for {site.id} to revoke.")
    if cons.revoke_effective is not None:
        raise RuleViolation(RuleCode.E_NOTICE, f"Consent for {site.id} is already being revoked.")


# ------------------------------------------------------------------------------ transparency


def check_agree(c: Check, o: Agree) -> None:
    w = c.other(o.partner)
    if has_agreement(c.state, AGREE_KIND[o.type], c.actor, w):
        raise _bad(f"{c.me} already has this agreement with {c.state.name_of(w)}.")


def check_declare_limits(c: Check, o: DeclareLimits) -> None:
    site = c.site(o.site)
    if c.actor not in (site.owner, site.host) and site.owner != "":
        raise RuleViolation(RuleCode.E_NOT_OWNER, f"Only the owner or host can limit {site.id}.")
    cap = o.max_interceptors
    if cap and cap < sum(c.run.deployed[site.id].values()):
        raise _bad(f"{site.id} already holds more than {cap} interceptors.")


def check_invite(c: Check, o: Invite) -> None:
    c.other(o.partner)
    if o.site:
        site = c.site(o.site)
        if c.actor not in (site.owner, site.host) and site.owner != "":
            raise RuleViolation(RuleCode.E_NOT_OWNER, f"{c.me} cannot open {site.id} to visitors.")


# ------------------------------------------------------------------------------ verification


def _inspection_treaty(c: Check, target_id: str, treaty_id: str) -> tuple[str, Treaty]:
    target = c.other(target_id)
    tr = c.treaty(treaty_id)
    if not in_force(tr):
        raise _bad(f"{tr.name or tr.id} is not in force.")
    if not is_party(tr, c.actor) or not is_party(tr, target):
        raise RuleViolation(
            RuleCode.E_NOT_PARTY,
            f"Both {c.me} and {c.state.name_of(target)} must be parties to {tr.name or tr.id}.",
        )
    return target, tr


def check_inspect(c: Check, o: Inspect) -> None:
    target, tr = _inspection_treaty(c, o.target, o.treaty)
    quota = _term_int(tr, "inspection_quota", 0)
    key = (target, tr.id)
    used = c.run.visits.get(key, 0) + o.visits
    if used > quota:
        raise RuleViolation(
            RuleCode.E_QUOTA,
            f"{tr.name or tr.id} allows {quota} visits per turn to each party ({used} asked).",
        )
    c.run.visits[key] = used


def check_challenge_inspection(c: Check, o: ChallengeInspection) -> None:
    _, tr = _inspection_treaty(c, o.target, o.treaty)
    if not _term_bool(tr, "challenge", False):
        raise _bad(f"{tr.name or tr.id} has no challenge-inspection clause.")
    if o.site and c.state.site(o.site) is None:
        raise RuleViolation(RuleCode.E_UNKNOWN, f"Unknown site {o.site!r}.")


def check_invest_ntm(c: Check, o: InvestNtm) -> None:
    p = c.p
    if o.points % p.ntm_cost_per_tenth:
        raise _bad(f"Invest in multiples of {p.ntm_cost_per_tenth} points.")
    new = c.run.ntm + 0.1 * o.points / p.ntm_cost_per_tenth
    if new > p.ntm_max + 1e-9:
        raise RuleViolation(RuleCode.E_CAPACITY, f"NTM cannot exceed {p.ntm_max:g}.")
    c.run.ntm = new


def check_set_concealment(c: Check, o: SetConcealment) -> None:
    if o.level / 10 > c.p.conceal_max + 1e-9:
        raise RuleViolation(RuleCode.E_CAPACITY, f"Concealment cannot exceed {c.p.conceal_max:g}.")


def _held_evidence_published(c: Check, eid: str) -> bool:
    """Whether the evidence item ``eid`` the actor holds is public (raises if it holds none)."""
    ev = next((e for e in c.state.evidence if e.id == eid and e.holder == c.actor), None)
    if ev is None:
        raise RuleViolation(RuleCode.E_UNKNOWN, f"{c.me} holds no evidence {eid!r}.")
    return ev.published


def check_publish_evidence(c: Check, o: PublishEvidence) -> None:
    if _held_evidence_published(c, o.evidence) or o.evidence in c.run.published:
        raise _bad(f"Evidence {o.evidence} is already public.")
    c.run.published.add(o.evidence)


def check_share_evidence(c: Check, o: ShareEvidence) -> None:
    _held_evidence_published(c, o.evidence)
    c.other(o.to)


# ------------------------------------------------------------------------------ treaties


def check_sign(c: Check, o: Sign) -> None:
    nat, p, me = c.nat, c.p, c.me
    tr = next(
        (x for x in c.state.treaties if x.terms_hash == o.terms_hash and x.status != "terminated"),
        None,
    )
    if tr is None:
        raise RuleViolation(RuleCode.E_UNKNOWN, "No tabled treaty has these terms.")
    if c.actor not in tr.parties or c.actor in tr.withdrawn:
        raise RuleViolation(RuleCode.E_NOT_PARTY, f"{me} is not listed in {tr.name or tr.id}.")
    if tr.status == "in_force" and _term_int(tr, "expires_turn", 0) == 0:
        raise _bad(f"{tr.name or tr.id} is already in force.")
    if nat.ds < p.theta_ratify:
        raise RuleViolation(
            RuleCode.E_DS_TOO_LOW,
            f"{me}'s domestic support ({nat.ds:.0f}) is below {p.theta_ratify:.0f}, "
            "needed to ratify a treaty.",
        )


def check_withdraw(c: Check, o: Withdraw) -> None:
    tr = c.treaty(o.treaty)
    if not in_force(tr) or not is_party(tr, c.actor):
        raise RuleViolation(RuleCode.E_NOT_PARTY, f"{c.me} is not a party to {tr.name or tr.id}.")
    if c.actor in tr.withdrawing:
        raise RuleViolation(
            RuleCode.E_NOTICE, f"{c.me} has already given notice to leave {tr.name or tr.id}."
        )


# ------------------------------------------------------------------------------ economy


def check_economic_pressure(c: Check, o: EconomicPressure) -> None:
    if not c.p.economic_pressure_enabled:
        raise RuleViolation(RuleCode.E_DISABLED, "Economic pressure is not used in this scenario.")
    c.other(o.target)


def check_research(c: Check, o: Research) -> None:
    nat, p, tech = c.nat, c.p, o.tech
    if tech in CLASS_ORDER:
        if tech in nat.tech or tech in nat.developing:
            raise _bad(f"{c.me} already has {tech} technology or a programme for it.")
        need = c.state.scenario.research_prereq.get(tech, ())
        if need and not any(x in nat.tech for x in need):
            raise RuleViolation(
                RuleCode.E_NO_TECH, f"{tech} research needs {' or '.join(need)} technology first."
            )
    elif tech == "cm" and nat.cm >= p.cm_max - 1e-9:
        raise RuleViolation(RuleCode.E_CAPACITY, "Countermeasures are already at the maximum.")
    elif tech == "discrimination" and nat.disc >= 1.0 - 1e-9:
        raise RuleViolation(RuleCode.E_CAPACITY, "Discrimination is already at the maximum.")
    elif tech == "program" and (nat.nuclear or nat.program >= 4):
        raise _bad(f"{c.me} has no nuclear programme step left to take.")
