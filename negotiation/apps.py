from __future__ import annotations

from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = "Treatycraft negotiation"
    default_auto_field = "django.db.models.BigAutoField"
