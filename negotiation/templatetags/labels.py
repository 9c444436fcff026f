"""Words for engine identifiers in templates: ``{% load labels %}`` then
``{{ t.status|treaty_status }}``, ``{{ itype|interceptor_type }}``, ``{{ order.type|order_type }}``,
``{{ seat.bot_policy|bot_policy }}``, ``{{ event.data|log_details:names }}`` (see negotiation/labels.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from negotiation import labels

register = template.Library()

register.filter("treaty_status", labels.treaty_status)
register.filter("interceptor_type", labels.interceptor_type)
register.filter("order_type", labels.order_type)
register.filter("bot_policy", labels.bot_policy)


@register.filter
def log_details(data: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    return labels.details(data or {}, names)
