"""The review's charts, built from a History (the reviewer's lens)."""

from __future__ import annotations

from django.utils.translation import gettext

from negotiation.review.charts import Chart, Series
from negotiation.review.history import History


def stability_chart(history: History) -> Chart:
    series = [Series(gettext("Public index"), history.rsi_pub)]
    if any(v is not None for v in history.rsi_true):
        series.append(Series(gettext("True index"), history.rsi_true))
    return Chart(
        id="rsi", title=gettext("Regional Stability Index by turn"),
        description=gettext("The public index everyone saw, and the true index computed on the real forces (0 to 100)."),
        x_labels=history.labels, series=series, y_label=gettext("index"), y_min=0, y_max=100,
    )


def per_state_chart(history: History, cid: str, title: str, description: str, values: dict[str, list[float | None]],
                    y_label: str, y_min: float | None = None, y_max: float | None = None) -> Chart:
    return Chart(id=cid, title=title, description=description, x_labels=history.labels,
                 series=[Series(m.name, values.get(m.id, [])) for m in history.states],
                 y_label=y_label, y_min=y_min, y_max=y_max)


def forces_chart(history: History) -> Chart:
    return Chart(
        id="forces", title=gettext("Forces in the region by class"),
        description=gettext("Total missiles of every state by class (true counts) and all interceptors."),
        x_labels=history.labels, y_label=gettext("units"), y_min=0, decimals=0,
        series=[Series(name if name != "interceptors" else gettext("Interceptors"), values)
                for name, values in history.forces.items() if any(v for v in values if v is not None)],
    )


def trust_chart(history: History, state_id: str) -> Chart:
    names = {m.id: m.name for m in history.states}
    name = names.get(state_id, state_id)
    return Chart(
        id="trust", title=gettext("How much %(name)s trusted each other state") % {"name": name},
        description=gettext("%(name)s's trust in each other state, from 0 (none) to 1 (full).") % {"name": name},
        x_labels=history.labels, y_label=gettext("trust"), y_min=0, y_max=1, decimals=2,
        series=[Series(names.get(other, other), values) for (src, other), values in history.trust.items()
                if src == state_id],
    )


def review_charts(history: History, trust_of: str) -> list[Chart]:
    return [
        stability_chart(history),
        per_state_chart(history, "security", gettext("National security by turn"),
                        gettext("Each state's security score on the true forces (0 to 100)."), history.security,
                        gettext("security"),
                        y_min=0, y_max=100),
        per_state_chart(history, "compliance", gettext("Treaty compliance by turn"),
                        gettext("Each state's public compliance score, averaged over its treaties (no line: party to none)."),
                        history.compliance, gettext("compliance"), y_min=0, y_max=100),
        per_state_chart(history, "vp", gettext("Victory points earned each turn"),
                        gettext("The points each state earned in each turn; the final score averages them."),
                        history.vp, gettext("points")),
        forces_chart(history),
        trust_chart(history, trust_of),
    ]
