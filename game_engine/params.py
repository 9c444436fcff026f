"""Every invented number of the model (engine-model.md B2-B5), with its default and range.

A scenario overrides any of them in its ``[params]`` table; the engine reads them only
through a :class:`Params` value, never from literals in code. Class and interceptor tables
(B2.4, B2.5) live in :data:`DEFAULT_CLASSES` and :data:`DEFAULT_INTERCEPTORS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

CLASS_ORDER: tuple[str, ...] = ("SRBM", "MRBM", "IRBM", "ICBM", "HGV", "GLCM")
ITYPE_ORDER: tuple[str, ...] = ("TERMINAL", "MIDCOURSE")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassSpec:
    """One missile class (B2.4)."""

    name: str
    w: float  # strategic weight w_c
    cost: int  # build cost per missile
    v: float  # vulnerable fraction v_c (counterforce target share)
    pcf: float  # counterforce effectiveness pcf_c
    kappa: float  # BMD penalty kappa_c (manoeuvre, low flight)
    eta_test: float  # test detectability
    cat1: bool = True  # MTCR Category I (export-controlled)


@dataclass(frozen=True, slots=True, kw_only=True)
class InterceptorSpec:
    """One interceptor type (B2.5)."""

    name: str
    cost: int
    p0: Mapping[str, float]  # baseline single-shot kill probability per missile class
    x_weight: float  # weight in the Richardson arms level X_i (B5.1)


DEFAULT_CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(name="SRBM", w=0.5, cost=2, v=0.3, pcf=0.40, kappa=0.0, eta_test=2.5),
    ClassSpec(name="MRBM", w=1.0, cost=4, v=0.4, pcf=0.50, kappa=0.0, eta_test=2.5),
    ClassSpec(name="IRBM", w=1.5, cost=6, v=0.5, pcf=0.55, kappa=0.0, eta_test=2.5),
    ClassSpec(name="ICBM", w=2.0, cost=12, v=0.6, pcf=0.60, kappa=0.0, eta_test=3.0),
    ClassSpec(name="HGV", w=2.0, cost=15, v=0.5, pcf=0.70, kappa=0.6, eta_test=2.0),
    ClassSpec(name="GLCM", w=0.7, cost=3, v=0.3, pcf=0.50, kappa=1.0, eta_test=1.0),
)

DEFAULT_INTERCEPTORS: tuple[InterceptorSpec, ...] = (
    InterceptorSpec(
        name="TERMINAL",
        cost=3,
        p0={"SRBM": 0.70, "MRBM": 0.60, "IRBM": 0.35, "ICBM": 0.0, "HGV": 0.50, "GLCM": 0.0},
        x_weight=0.3,
    ),
    InterceptorSpec(
        name="MIDCOURSE",
        cost=8,
        p0={"SRBM": 0.0, "MRBM": 0.55, "IRBM": 0.50, "ICBM": 0.40, "HGV": 0.30, "GLCM": 0.0},
        x_weight=0.6,
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Params:
    """All scalar constants of B3-B5. Section comments cite engine-model.md."""

    # --- rules version -------------------------------------------------------------------
    # Which revision of the rules a game is played under. A stored game keeps the value it
    # began with (see LEGACY_VALUES), so a rules change never makes an older game unreplayable:
    # 1 = the rules before issue 14; 2 = issue 14's equilibrium start, posture erosion, hosted-
    # site incidents, ledger fixes and same-turn consent for radar and sensor orders; 3 = issue
    # 14's crisis calibration (``esc_scale``, B10(c)); 4 = issue 14's verified-restraint term of
    # the victory points (``vp_w_verified``, B5.12); 5 = the explanation of the index's move
    # counts last turn's incident penalty (``stability.explain``: reports only, no number moves).
    rules: int = 5

    # --- B3 costs and limits -------------------------------------------------------------
    covert_cost_mult: float = 1.25  # BUILD covert surcharge
    reduce_cost_per_unit: float = 0.5
    test_cost: int = 1
    max_tests_per_turn: int = 3
    deploy_cost_per_unit: int = 1
    radar_cost_per_level: int = 10
    radar_level_step: float = 0.25  # radar quality levels are multiples of this
    agree_cost: int = 1  # AGREE_HOTLINE / NOTIFICATION / DATA_EXCHANGE, each side
    cbm_cost: int = 2  # JOINT_EXERCISE / INVITE_OBSERVERS (inviter pays)
    inspect_cost_per_visit: int = 1
    challenge_cost: int = 2
    ntm_cost_per_tenth: int = 5
    conceal_upkeep_per_tenth: int = 5  # per turn, for levels above the scenario baseline
    ntm_max: float = 1.0
    conceal_max: float = 0.9
    cm_max: float = 0.8
    pressure_cost_share: float = 0.3  # ECONOMIC_PRESSURE costs the actor amount x this
    research_cost_class: int = 30
    research_cost_cm: int = 10
    research_cost_discrimination: int = 20
    research_cost_program: int = 20
    research_cm_step: float = 0.1
    research_disc_step: float = 0.1
    rd_tests_required: int = 2  # tests that complete a class R&D programme
    test_cm_step: float = 0.05  # B4 phase 4
    new_tech_prod_cap: int = 2  # builds per turn after completing R&D or importing technology
    economic_pressure_enabled: bool = False
    max_visits_per_order: int = 20
    # --- B4 phase 2 economy -----------------------------------------------------------
    income_base_factor: float = 0.9  # income x (0.9 + 0.2 DS/100)
    income_ds_factor: float = 0.2
    maintenance_rate: float = 0.03  # of stock value per turn
    # --- B5.1 arms levels ---------------------------------------------------------------
    theta_def: float = 1.0  # weight of interceptors in X_i
    # --- B5.2 defense effectiveness -------------------------------------------------------
    doctrine_shots: int = 2  # n interceptors (or looks) per warhead
    sls_min_radar_q: float = 0.5  # shoot-look-shoot needs this radar quality
    env_lo: float = 0.85
    env_hi: float = 1.0
    env_expected: float = 0.925
    rho_base: float = 0.80  # common-mode reliability rho = base + per_q x q
    rho_per_q: float = 0.15
    forward_share_bonus: float = 0.25  # delta bonus from forward radar + sensor sharing
    dw_nuclear: float = 1.0
    dw_conventional: float = 0.1
    # --- B5.3 exchange and security -------------------------------------------------------
    sec_w_det: float = 0.5
    sec_w_dl: float = 0.3
    sec_w_rel: float = 0.2
    ed_hosting_bonus: float = 0.1
    ed_cap: float = 0.9
    rival_threat_threshold: float = 50.0
    # --- B5.4 perception ----------------------------------------------------------------
    vcov_ntm: float = 0.6
    vcov_de: float = 0.3
    vcov_visits: float = 0.8
    est_sigma: float = 0.35
    est_bias: float = 0.25
    chi_limits: float = 0.15
    chi_limits_verified: float = 0.30
    chi_data_exchange: float = 0.20
    chi_cbm: float = 0.15
    chi_terminal: float = 0.20
    chi_no_sharing: float = 0.15
    chi_max: float = 0.9
    # posture erosion (issue 14): a rival reads a defense posture that sees or covers it as
    # eroding its deterrent even when the exchange model leaves det = 1 (B5.3-B5.4)
    er_load: float = 0.15  # a fully loaded site within the rival's reach
    er_load_ref: float = 24.0  # interceptors that make a site "fully loaded"
    er_terminal_weight: float = 0.5  # a TERMINAL interceptor counts as half a MIDCOURSE one
    er_forward: float = 0.20  # forward-mode radar that sees the rival
    er_sharing: float = 0.15  # sensor sharing / cueing from a site that sees or covers it
    er_max: float = 0.6  # cap on the posture term
    ev_decay: float = 0.5
    inc_unnotified_test: float = 0.15
    inc_public_violation: float = 0.40
    inc_export: float = 0.25
    inc_hosted_site: float = 0.20
    inc_exercise: float = 0.10
    inc_pressure: float = 0.10
    inc_refused_challenge: float = 0.20
    inc_broken_limits: float = 0.20
    threat_inertia: float = 0.5  # lambda
    # --- B5.5 Richardson ----------------------------------------------------------------
    k_default: float = 0.20
    a_default: float = 0.15
    power_iterations: int = 200
    # --- B5.6 verification ----------------------------------------------------------------
    eta_build: float = 0.6
    eta_deploy: float = 1.5
    eta_export: float = 0.5
    eta_program: float = 0.3
    eta_misdeclare: float = 0.0
    gamma: float = 0.5
    forward_radar_ntm_bonus: float = 0.1
    ntm_de_bonus: float = 0.3
    units_per_site: int = 4
    osi_q: float = 0.8
    osi_conceal_factor: float = 0.5
    challenge_q: float = 0.8
    # covert + conceal >= this: build sits at undeclared facilities, invisible to routine visits.
    # B5.6 says 0.5, but B8 Example 2 still inspects a covert build at conceal 0.8, so the
    # default is the maximum concealment level.
    covert_hidden_conceal: float = 0.9
    alpha_osi: float = 0.02
    alpha_ntm: float = 0.005
    evidence_confirm_quality: float = 0.9
    event_violation_window: int = 2  # turns a one-off violation stays detectable
    # --- B5.7 trust ---------------------------------------------------------------------
    trust_clean_inspection: float = 1.0
    trust_data_exchange: float = 0.3
    trust_notified_test: float = 0.1
    trust_hotline: float = 0.5
    trust_cbm: float = 0.5
    trust_verified_elimination: float = 1.0
    trust_violation: float = 3.0
    trust_refused_challenge: float = 1.0
    trust_unnotified_test: float = 0.5
    trust_withdraw_notice: float = 0.5
    trust_withdraw_abrupt: float = 3.0
    trust_ambiguous_weight: float = 2.0
    trust_unfounded: float = 1.0
    trust_accuser_penalty: float = 0.5
    trust_forgetting: float = 0.95
    # --- B5.8 compliance ----------------------------------------------------------------
    cs_recovery: float = 0.10
    cs_new_public: float = 60.0
    cs_redetected: float = 20.0
    cs_alarm: float = 10.0
    comp_nonparty: float = 40.0
    comp_w_cs: float = 0.7
    comp_w_rep: float = 0.3
    p_audit: float = 0.5
    audit_weight: float = 30.0
    sev_test: float = 0.3
    sev_export: float = 0.5
    sev_misdeclare: float = 0.5
    sev_abrupt_withdrawal: float = 1.0
    sev_program: float = 0.5
    default_grace_caps: int = 1
    default_notice_turns: int = 1
    default_inspection_quota: int = 4
    # --- B5.9 regional stability index ------------------------------------------------------
    rsi_w_crisis: float = 0.30
    rsi_w_race: float = 0.20
    rsi_w_trust: float = 0.15
    rsi_w_regime: float = 0.15
    rsi_w_transp: float = 0.10
    rsi_w_percep: float = 0.10
    rsi_floor: float = 0.05
    race_slope: float = 20.0
    race_growth_scale: float = 0.25
    regime_base: float = 0.3
    transp_base: float = 0.2
    pinc_unnotified: float = 3.0
    pinc_violation: float = 8.0
    pinc_refused: float = 4.0
    pinc_crisis: float = 10.0
    pinc_max: float = 30.0
    # --- B5.10 domestic support -------------------------------------------------------------
    ds_sec: float = 0.3
    ds_spend: float = 30.0
    ds_hosting: float = 2.0
    ds_hosting_comp_full: float = 3.0
    ds_shame: float = 10.0
    ds_rally: float = 5.0
    ds_hawk: float = 10.0
    ds_arp_threshold: float = 0.1
    ds_display_step: int = 5
    theta_ratify: float = 35.0
    theta_consent: float = 40.0
    ds_revoke: float = 20.0
    # --- B5.11 crisis ---------------------------------------------------------------------
    crisis_enabled: bool = True
    crisis_strength: float = 1.0  # multiplies p_cr (0.5 = "half strength")
    cr_base: float = 0.01
    cr_threat: float = 0.15
    cr_threat_exp: float = 2.0  # p_cr grows with (T/100)^exp (B5.11 writes the square)
    cr_incident: float = 0.10
    cr_max: float = 0.5
    esc_base: float = 0.30
    esc_scale: float = 1.0  # rules >= 3: multiplies esc_base (a scenario's B10(c) calibration)
    esc_hotline: float = 0.5
    esc_clarity: float = 0.3
    crisis_threat_jump: float = 10.0
    catastrophe_mult: float = 0.5
    catastrophe_dyad_penalty: float = 20.0
    # --- B5.12 victory points -----------------------------------------------------------------
    objectives_cap: float = 10.0
    # rules >= 4 (issue 14): VP_i += vp_w_verified x V_i, the verified-restraint index
    # V_i = 100 min(1, cut_i / (vp_verified_ref (X_i + cut_i))), where cut_i is the strategic
    # weight (sum of w_c) i has eliminated under accepted observation and X_i its offensive level
    vp_w_verified: float = 0.12
    vp_verified_ref: float = 0.25  # share of one's arsenal whose verified elimination earns V = 100
    # --- B6 numeric hygiene -------------------------------------------------------------------
    float_digits: int = 9


# (lo, hi) allowed range of every numeric parameter; booleans are not listed.
_UNIT = (0.0, 1.0)
RANGES: dict[str, tuple[float, float]] = {
    "rules": (1, 5),
    "covert_cost_mult": (1.0, 3.0),
    "reduce_cost_per_unit": (0.0, 10.0),
    "test_cost": (0, 20),
    "max_tests_per_turn": (0, 10),
    "deploy_cost_per_unit": (0, 10),
    "radar_cost_per_level": (0, 100),
    "radar_level_step": (0.05, 1.0),
    "agree_cost": (0, 20),
    "cbm_cost": (0, 20),
    "inspect_cost_per_visit": (0, 20),
    "challenge_cost": (0, 50),
    "ntm_cost_per_tenth": (0, 100),
    "conceal_upkeep_per_tenth": (0, 100),
    "ntm_max": _UNIT,
    "conceal_max": _UNIT,
    "cm_max": _UNIT,
    "pressure_cost_share": _UNIT,
    "research_cost_class": (0, 500),
    "research_cost_cm": (0, 500),
    "research_cost_discrimination": (0, 500),
    "research_cost_program": (0, 500),
    "research_cm_step": _UNIT,
    "research_disc_step": _UNIT,
    "rd_tests_required": (0, 10),
    "test_cm_step": _UNIT,
    "new_tech_prod_cap": (0, 100),
    "max_visits_per_order": (1, 100),
    "income_base_factor": (0.0, 2.0),
    "income_ds_factor": (0.0, 2.0),
    "maintenance_rate": (0.0, 0.5),
    "theta_def": (0.0, 5.0),
    "doctrine_shots": (1, 4),
    "sls_min_radar_q": _UNIT,
    "env_lo": _UNIT,
    "env_hi": _UNIT,
    "env_expected": _UNIT,
    "rho_base": _UNIT,
    "rho_per_q": _UNIT,
    "forward_share_bonus": _UNIT,
    "dw_nuclear": (0.0, 10.0),
    "dw_conventional": (0.0, 10.0),
    "sec_w_det": _UNIT,
    "sec_w_dl": _UNIT,
    "sec_w_rel": _UNIT,
    "ed_hosting_bonus": _UNIT,
    "ed_cap": _UNIT,
    "rival_threat_threshold": (0.0, 100.0),
    "vcov_ntm": _UNIT,
    "vcov_de": _UNIT,
    "vcov_visits": _UNIT,
    "est_sigma": (0.0, 2.0),
    "est_bias": (0.0, 2.0),
    "chi_limits": _UNIT,
    "chi_limits_verified": _UNIT,
    "chi_data_exchange": _UNIT,
    "chi_cbm": _UNIT,
    "chi_terminal": _UNIT,
    "chi_no_sharing": _UNIT,
    "chi_max": _UNIT,
    "er_load": _UNIT,
    "er_load_ref": (1.0, 1000.0),
    "er_terminal_weight": _UNIT,
    "er_forward": _UNIT,
    "er_sharing": _UNIT,
    "er_max": _UNIT,
    "ev_decay": _UNIT,
    "inc_unnotified_test": _UNIT,
    "inc_public_violation": _UNIT,
    "inc_export": _UNIT,
    "inc_hosted_site": _UNIT,
    "inc_exercise": _UNIT,
    "inc_pressure": _UNIT,
    "inc_refused_challenge": _UNIT,
    "inc_broken_limits": _UNIT,
    "threat_inertia": _UNIT,
    "k_default": (0.0, 0.5),
    "a_default": (0.0, 1.0),
    "power_iterations": (10, 10000),
    "eta_build": (0.0, 10.0),
    "eta_deploy": (0.0, 10.0),
    "eta_export": (0.0, 10.0),
    "eta_program": (0.0, 10.0),
    "eta_misdeclare": (0.0, 10.0),
    "gamma": (0.0, 2.0),
    "forward_radar_ntm_bonus": _UNIT,
    "ntm_de_bonus": (0.0, 2.0),
    "units_per_site": (1, 100),
    "osi_q": _UNIT,
    "osi_conceal_factor": _UNIT,
    "challenge_q": _UNIT,
    "covert_hidden_conceal": _UNIT,
    "alpha_osi": _UNIT,
    "alpha_ntm": _UNIT,
    "evidence_confirm_quality": _UNIT,
    "event_violation_window": (1, 10),
    "trust_clean_inspection": (0.0, 10.0),
    "trust_data_exchange": (0.0, 10.0),
    "trust_notified_test": (0.0, 10.0),
    "trust_hotline": (0.0, 10.0),
    "trust_cbm": (0.0, 10.0),
    "trust_verified_elimination": (0.0, 10.0),
    "trust_violation": (0.0, 20.0),
    "trust_refused_challenge": (0.0, 10.0),
    "trust_unnotified_test": (0.0, 10.0),
    "trust_withdraw_notice": (0.0, 10.0),
    "trust_withdraw_abrupt": (0.0, 20.0),
    "trust_ambiguous_weight": (0.0, 10.0),
    "trust_unfounded": (0.0, 10.0),
    "trust_accuser_penalty": (0.0, 10.0),
    "trust_forgetting": _UNIT,
    "cs_recovery": _UNIT,
    "cs_new_public": (0.0, 100.0),
    "cs_redetected": (0.0, 100.0),
    "cs_alarm": (0.0, 100.0),
    "comp_nonparty": (0.0, 100.0),
    "comp_w_cs": _UNIT,
    "comp_w_rep": _UNIT,
    "p_audit": _UNIT,
    "audit_weight": (0.0, 100.0),
    "sev_test": _UNIT,
    "sev_export": _UNIT,
    "sev_misdeclare": _UNIT,
    "sev_abrupt_withdrawal": _UNIT,
    "sev_program": _UNIT,
    "default_grace_caps": (0, 10),
    "default_notice_turns": (0, 10),
    "default_inspection_quota": (0, 50),
    "rsi_w_crisis": _UNIT,
    "rsi_w_race": _UNIT,
    "rsi_w_trust": _UNIT,
    "rsi_w_regime": _UNIT,
    "rsi_w_transp": _UNIT,
    "rsi_w_percep": _UNIT,
    "rsi_floor": (0.001, 0.5),
    "race_slope": (0.0, 100.0),
    "race_growth_scale": (0.01, 5.0),
    "regime_base": _UNIT,
    "transp_base": _UNIT,
    "pinc_unnotified": (0.0, 100.0),
    "pinc_violation": (0.0, 100.0),
    "pinc_refused": (0.0, 100.0),
    "pinc_crisis": (0.0, 100.0),
    "pinc_max": (0.0, 100.0),
    "ds_sec": (0.0, 5.0),
    "ds_spend": (0.0, 100.0),
    "ds_hosting": (0.0, 20.0),
    "ds_hosting_comp_full": (0.1, 100.0),
    "ds_shame": (0.0, 50.0),
    "ds_rally": (0.0, 50.0),
    "ds_hawk": (0.0, 50.0),
    "ds_arp_threshold": (0.0, 5.0),
    "ds_display_step": (1, 25),
    "theta_ratify": (0.0, 100.0),
    "theta_consent": (0.0, 100.0),
    "ds_revoke": (0.0, 100.0),
    "crisis_strength": (0.0, 2.0),
    "cr_base": _UNIT,
    "cr_threat": _UNIT,
    "cr_threat_exp": (1.0, 8.0),
    "cr_incident": _UNIT,
    "cr_max": _UNIT,
    "esc_base": _UNIT,
    "esc_scale": (0.0, 4.0),
    "esc_hotline": _UNIT,
    "esc_clarity": _UNIT,
    "crisis_threat_jump": (0.0, 100.0),
    "catastrophe_mult": _UNIT,
    "catastrophe_dyad_penalty": (0.0, 100.0),
    "objectives_cap": (0.0, 100.0),
    "vp_w_verified": _UNIT,
    "vp_verified_ref": (0.01, 1.0),
    "float_digits": (3, 15),
}

PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Params))


def replace_fields(obj: Params, changes: Mapping[str, object]) -> Params:
    """``dataclasses.replace`` with values already validated against the field types."""
    return dataclasses.replace(obj, **changes)  # type: ignore[arg-type]


# A stored game's copy of the parameters holds every parameter the engine had when the game
# began. One it lacks was added later: it takes its value here, chosen to reproduce the rules
# the game was played under, or else its default (a parameter that only matters under a later
# `rules` value), so that `manage.py replay` rebuilds old games exactly (issue 13). A rules
# change adds its parameters here and branches on `Params.rules`.
LEGACY_VALUES: dict[str, float | int | bool] = {
    "rules": 1,
    "er_load": 0.0,
    "er_forward": 0.0,
    "er_sharing": 0.0,
    "esc_scale": 1.0,
}


def with_legacy_values(stored: Mapping[str, object]) -> dict[str, object]:
    """A stored parameter copy completed with the legacy value of every parameter it lacks."""
    defaults = params_to_json(Params())
    missing = {k: LEGACY_VALUES.get(k, defaults[k]) for k in defaults if k not in stored}
    return {**missing, **stored}


def params_to_json(p: Params) -> dict[str, float | int | bool]:
    """All parameters as a flat JSON-safe mapping (sorted by name)."""
    out: dict[str, float | int | bool] = {}
    for name in sorted(PARAM_NAMES):
        value = getattr(p, name)
        assert isinstance(value, (bool, int, float))
        out[name] = value
    return out


def params_from_mapping(
    data: Mapping[str, object], path: str = "params"
) -> tuple[Params, list[str]]:
    """Defaults overridden by ``data``; returns the value and a list of field-path errors."""
    errors: list[str] = []
    defaults = Params()
    values: dict[str, float | int | bool] = {}
    for key in sorted(data):
        raw = data[key]
        where = f"{path}.{key}"
        if key not in PARAM_NAMES:
            errors.append(f"{where}: unknown parameter")
            continue
        default = getattr(defaults, key)
        if isinstance(default, bool):
            if not isinstance(raw, bool):
                errors.append(f"{where}: must be true or false")
                continue
            values[key] = raw
            continue
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            errors.append(f"{where}: must be a number")
            continue
        if isinstance(default, int) and not isinstance(raw, int):
            errors.append(f"{where}: must be an integer")
            continue
        lo, hi = RANGES[key]
        if not lo <= raw <= hi:
            errors.append(f"{where}: must be between {lo:g} and {hi:g}")
            continue
        values[key] = float(raw) if isinstance(default, float) else int(raw)
    if errors:
        return defaults, errors
    return replace_fields(defaults, values), errors
