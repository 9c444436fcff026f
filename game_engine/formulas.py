"""Closed-form formulas of B5 (defense, exchange, perception, verification, stability).

Pure functions of numbers only; they reproduce engine-model.md Appendix A. Everything that
needs game state lives in :mod:`game_engine.metrics`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass


def clamp(x: float, lo: float, hi: float) -> float:
    """``x`` limited to ``[lo, hi]``."""
    return lo if x < lo else hi if x > hi else x


def sigmoid(x: float) -> float:
    """Logistic function, overflow-safe."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---------------------------------------------------------------- B5.2 missile defense


def p_eff(p0: float, kappa: float, cm: float, delta: float, env: float = 1.0) -> float:
    """Effective single-shot kill probability ``p0 (1-kappa) (1 - cm (1-delta)) env``."""
    return clamp(p0 * (1 - kappa) * (1 - cm * (1 - delta)) * env, 0.0, 1.0)


def pk_per_warhead(p: float, n: int, rho: float) -> float:
    """Kill probability of one warhead engaged by ``n`` interceptors (or ``n`` looks)."""
    return clamp(rho * (1 - (1 - p) ** n), 0.0, 1.0)


def shots_per_warhead(p: float, n: int, sls: bool) -> float:
    """Expected interceptors used per engaged warhead: ``n`` (barrage) or SLS expectation."""
    if not sls or p <= 0:
        return float(n)
    return (1 - (1 - p) ** n) / p


@dataclass(frozen=True, slots=True)
class Salvo:
    """Outcome of one class's salvo against one interceptor layer."""

    leakers: float
    engaged: float
    pk: float
    d: float
    p0: float
    used: float


def salvo(w: float, i: float, p: float, n: int = 2, rho: float = 0.95, sls: bool = False) -> Salvo:
    """Expected leakers of ``w`` warheads against ``i`` interceptors (saturation, B5.2.4)."""
    if w <= 0:
        return Salvo(0.0, 0.0, 0.0, 1.0, 1.0, 0.0)
    if i <= 0 or p <= 0:
        return Salvo(float(w), 0.0, 0.0, 0.0, 0.0, 0.0)
    pk = pk_per_warhead(p, n, rho)
    e = shots_per_warhead(p, n, sls)
    eng = min(float(w), float(math.floor(i / e + 1e-12)))
    leak = eng * (1 - pk) + (w - eng)
    p_zero = pk**eng if eng >= w else 0.0
    return Salvo(leak, eng, pk, 1 - leak / w, p_zero, eng * e)


# ---------------------------------------------------------------- B5.3 exchange model


def damage(arriving: float, l_half: float) -> float:
    """Damage fraction ``1 - 2^(-A / L_half)``."""
    if arriving <= 0:
        return 0.0
    return 1 - 2 ** (-arriving / l_half)


def cf_killed(vulnerable: float, shots: float) -> float:
    """Targets killed by ``shots`` effective counterforce shots (Poisson approximation)."""
    if vulnerable <= 0 or shots <= 0:
        return 0.0
    return vulnerable * (1 - math.exp(-shots / vulnerable))


# ---------------------------------------------------------------- B5.4 perception


def threat_target(h_hat: float, e_hat: float, chi: float, h: float, tau: float, ev: float) -> float:
    """Target threat ``T* = 100 Cap Int`` (Singer: capability x intent)."""
    cap = 1 - (1 - h_hat) * (1 - e_hat * (1 - chi))
    intent = min(1.0, h + (1 - h) * (1 - tau) + ev)
    return 100 * clamp(cap, 0.0, 1.0) * clamp(intent, 0.0, 1.0)


# ---------------------------------------------------------------- B5.5 Richardson


def spectral_radius(m: Sequence[Sequence[float]], iterations: int = 200) -> float:
    """Spectral radius of a non-negative matrix: closed form for 2x2, else power iteration."""
    size = len(m)
    if size == 0:
        return 0.0
    if size == 1:
        return abs(m[0][0])
    if size == 2:
        a, b = m[0]
        c, d = m[1]
        tr, det = a + d, a * d - b * c
        disc = tr * tr / 4 - det
        if disc >= 0:
            root = math.sqrt(disc)
            return max(abs(tr / 2 + root), abs(tr / 2 - root))
        return math.sqrt(det)
    # The bots' projections of one turn often share the matrix: remember the last results.
    key = (tuple(tuple(map(float, r)) for r in m), iterations)
    hit = _RADII.get(key)
    if hit is None:
        hit = _power_radius(key[0], size, iterations)
        if len(_RADII) >= 4096:
            _RADII.clear()
        _RADII[key] = hit
    return hit


_RADII: dict[tuple[tuple[tuple[float, ...], ...], int], float] = {}


def _power_radius(m: Sequence[Sequence[float]], size: int, iterations: int) -> float:
    # Power iteration from the all-ones vector, advanced 8 steps at a time with M^8 (three
    # squarings), so ``iterations`` steps cost iterations/8 matrix-vector products. The dot
    # products are ``sum(map(mul, ...))``: the same products added in the same order as a
    # loop, without building a list (the matrix is square, so no row or column is cut short).
    mul = operator.mul
    p = [list(map(float, r)) for r in m]
    scale = 0.0  # log of the factor divided out of p, to avoid overflow
    for _ in range(3):
        cols = list(zip(*p, strict=True))
        p = [[sum(map(mul, row, col)) for col in cols] for row in p]
        big = max(max(map(abs, row)) for row in p)
        if big == 0:
            return 0.0
        p = [[x / big for x in row] for row in p]
        scale = 2 * scale + math.log(big)
    v = [1.0] * size
    lam = 0.0
    for _ in range(max(1, iterations // 8)):
        nxt = [sum(map(mul, row, v)) for row in p]
        norm = max(map(abs, nxt))
        if norm == 0:
            return 0.0
        lam = norm / max(map(abs, v))
        v = [x / norm for x in nxt]
    return math.exp((math.log(lam) + scale) / 8)


def spectral_radius_2(a1: float, a2: float, k12: float, k21: float) -> float:
    """rho(M) for ``M = [[1-a1, K12], [K21, 1-a2]]`` (Appendix A)."""
    return spectral_radius([[1 - a1, k12], [k21, 1 - a2]])


# ---------------------------------------------------------------- B5.6 verification


def p_ntm(eta: float, ntm: float, conceal: float, m: float, gamma: float = 0.5) -> float:
    """NTM detection probability ``1 - exp(-eta ntm (1-conceal) m^gamma)``."""
    if m <= 0 or eta <= 0 or ntm <= 0:
        return 0.0
    return clamp(1 - math.exp(-eta * ntm * (1 - conceal) * m**gamma), 0.0, 1.0)


def p_osi(n_sites: int, r_bad: int, k_visits: int, q_visit: float) -> float:
    """Exact attribute-sampling detection: hypergeometric visits to bad sites, each found w.p. q."""
    if n_sites <= 0 or r_bad <= 0 or k_visits <= 0 or q_visit <= 0:
        return 0.0
    r_bad = min(r_bad, n_sites)
    k = min(k_visits, n_sites)
    total = math.comb(n_sites, k)
    p = 0.0
    for x in range(min(r_bad, k) + 1):
        px = math.comb(r_bad, x) * math.comb(n_sites - r_bad, k - x) / total
        p += px * (1 - (1 - q_visit) ** x)
    return clamp(p, 0.0, 1.0)


def combine(ps: Sequence[float]) -> float:
    """Independent channels: ``1 - prod(1 - p)``."""
    q = 1.0
    for x in ps:
        q *= 1 - x
    return clamp(1 - q, 0.0, 1.0)


def deterrence_threshold(gain_d: float, sanction_b: float) -> float:
    """A violation is deterred iff ``p_det >= d / (d + b)``."""
    if gain_d <= 0:
        return 0.0
    return gain_d / (gain_d + sanction_b)


def posterior_violation(prior: float, p_detect: float, alpha_false: float) -> float:
    """Posterior probability of a violation after an alarm (Bayes, B5.7)."""
    num = p_detect * prior
    den = num + alpha_false * (1 - prior)
    if den <= 0:
        return prior
    return num / den


def evidence_quality(p_channel: float, alpha_channel: float) -> float:
    """Likelihood-ratio quality ``p / (p + alpha)`` shown to the holder."""
    if p_channel + alpha_channel <= 0:
        return 0.0
    return p_channel / (p_channel + alpha_channel)


# ---------------------------------------------------------------- B5.9 stability index


def rsi_geometric(components: Sequence[float], weights: Sequence[float], floor: float) -> float:
    """``100 prod S_k^w_k`` with each component floored and capped to ``[floor, 1]``."""
    g = 1.0
    for s, w in zip(components, weights, strict=True):
        g *= clamp(s, floor, 1.0) ** w
    return 100 * g


def s_race(rho: float, growth: float, slope: float = 20.0, scale: float = 0.25) -> float:
    """Race component ``0.5 sigma(-slope (rho-1)) + 0.5 (1 - clamp(G/scale))``."""
    return 0.5 * sigmoid(-slope * (rho - 1)) + 0.5 * (1 - clamp(max(0.0, growth) / scale, 0, 1))


# ---------------------------------------------------------------- B5.12 victory points


def verified_restraint(cut: float, x_off: float, ref: float) -> float:
    """Verified-restraint index ``100 min(1, cut / (ref (X + cut)))`` (rules 4, B5.12).

    ``cut`` is the strategic weight eliminated under observation and ``x_off`` the offensive
    level now, so ``X + cut`` is the arsenal the cuts were taken from.
    """
    if cut <= 0:
        return 0.0
    return 100 * clamp(cut / (ref * (x_off + cut)), 0.0, 1.0)
