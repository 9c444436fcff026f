"""The region map's palette: every fill category stays apart from the others for the three
dichromacies, has a pattern of its own (so greyscale and print keep it apart too), and every colour
the map draws meets WCAG 2.2 contrast (text 4.5:1, graphical objects 3:1 against what they touch).

Colour-vision deficiencies are simulated with the Machado, Oliveira & Fernandes (2009) matrices at
full severity, applied in linear sRGB; differences are CIEDE2000 in CIELAB (D65)."""

from __future__ import annotations

import itertools
import math

import pytest

import game_engine
from negotiation import mapview
from negotiation.review import charts

MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
VISIONS = ("typical", *MACHADO)
# About 10 CIEDE2000 units is where two flat colours side by side read as different colours rather
# than shades of one; the patterns carry the difference for anyone who still cannot tell.
MIN_DELTA_E = 10.0


def linear(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def simulate(hex_colour: str, vision: str) -> tuple[float, float, float]:
    rgb = linear(hex_colour)
    if vision == "typical":
        return rgb
    m = MACHADO[vision]
    r, g, b = (min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3))
    return r, g, b


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e_2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh -= 360 if dh > 180 else 0
        dh += 360 if dh < -180 else 0
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if not c1p * c2p:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def contrast(a: str, b: str) -> float:
    def luminance(c: str) -> float:
        r, g, bl = linear(c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_colour_difference_matches_sharmas_reference_data():
    # Sharma, Wu & Dalal (2005), pairs 1 and 17.
    assert delta_e_2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert delta_e_2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def test_contrast_matches_wcag():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


SETS = {
    "threat (player map)": mapview.THREAT_FILLS,
    "insecurity (facilitator map)": mapview.THREAT_FILLS[1:],
    "identity (public map)": mapview.IDENTITY_FILLS,
}


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("name", SETS)
def test_every_pair_of_fill_colours_stays_apart(name, vision):
    for a, b in itertools.combinations(SETS[name], 2):
        difference = delta_e_2000(lab(simulate(a.colour, vision)), lab(simulate(b.colour, vision)))
        assert difference >= MIN_DELTA_E, f"{name}, {vision}: {a.key} {a.colour} vs {b.key} {b.colour}: {difference:.1f}"


@pytest.mark.parametrize("name", SETS)
def test_every_category_has_a_pattern_of_its_own(name):
    patterns = [f.pattern for f in SETS[name]]
    assert len(set(patterns)) == len(patterns)
    for fill in SETS[name]:
        assert mapview.pattern_svg("rm", fill).startswith(f'<pattern id="rm-{fill.key}"')


def test_threat_levels_darken_in_order_so_greyscale_keeps_the_order():
    levels = [mapview.FILLS[k].colour for k in mapview.THREAT_LEVELS]
    lightness = [lab(linear(c))[0] for c in levels]
    assert lightness == sorted(lightness, reverse=True)
    assert min(a - b for a, b in itertools.pairwise(lightness)) >= 9


def test_the_patterns_marks_show_against_their_fill():
    for fill in mapview.FILLS.values():
        if fill.pattern != "plain":
            assert contrast(fill.ink, fill.colour) >= 3.0, fill


def test_every_state_outline_shows_against_the_sea_and_its_own_fill():
    ink = mapview.INK
    assert contrast(ink.outline, ink.sea) >= 3.0
    for fill in mapview.FILLS.values():
        assert contrast(ink.outline, fill.colour) >= 3.0, fill


def test_labels_and_lines_keep_their_contrast_over_any_fill():
    ink = mapview.INK
    # Text: state and site names are drawn over a halo.
    assert contrast(ink.label, ink.halo) >= 4.5
    # Lines crossing the map are drawn over a casing, and site markers pair the two colours.
    for line in (ink.outline, ink.coverage, ink.treaty):
        assert contrast(line, ink.casing) >= 3.0
        assert contrast(line, ink.sea) >= 3.0


def test_the_identity_colours_are_the_review_charts_colours():
    shared = min(len(charts.PALETTE) - 2, len(mapview.IDENTITY_FILLS))
    assert [f.colour for f in mapview.IDENTITY_FILLS[:shared]] == [c.lower() for c in charts.PALETTE[:shared]]


@pytest.mark.parametrize("slug", [s.slug for s in game_engine.list_scenarios()])
def test_each_scenarios_state_colours_are_the_map_identities_in_order(slug):
    states = game_engine.load_scenario(slug).states
    assert [s.info.color.lower() for s in states] == [f.colour for f in mapview.IDENTITY_FILLS[:len(states)]]
