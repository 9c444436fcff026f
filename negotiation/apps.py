from __future__ import annotations

from django.apps import AppConfig


class NegotiationConfig(AppConfig):
    name = "negotiation"
    verbose_name = "Treatycraft negotiation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: the app registry must be ready before the models (which
        # broadcasts renders through) are imported. This is Django's rule, not a cycle being dodged.
        from django.contrib.auth.signals import user_logged_out

        from negotiation import broadcasts, changes

        # Every change a service publishes reaches the sockets through broadcasts, after commit.
        changes.connect(broadcasts.deliver)

        def close_sockets(sender: object, user: object = None, **kwargs: object) -> None:
            user_id = getattr(user, "pk", None)
            if isinstance(user_id, int):
                broadcasts.user_logged_out(user_id=user_id)

        # Logging out closes the facilitator's open consoles within seconds.
        user_logged_out.connect(close_sockets, dispatch_uid="treatycraft-close-sockets-on-logout", weak=False)
