"""First-run setup for `make run`: check the bundled scenarios and create a facilitator account."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

import game_engine


class Command(BaseCommand):
    help = "Validate the bundled scenarios and create the first facilitator account if none exists."

    def handle(self, *args: Any, **options: Any) -> None:
        scenarios = game_engine.list_scenarios()
        if not scenarios:
            raise CommandError("No scenarios found in game_engine/scenarios.")
        for info in scenarios:
            game_engine.load_scenario(info.slug)  # raises with field paths if a file is broken
            self.stdout.write(f"  scenario {info.slug}: {info.title} ({len(info.states)} states, {info.turns} turns)")

        user_model = get_user_model()
        if user_model.objects.filter(is_staff=True).exists():
            self.stdout.write("Facilitator account exists (reset with: .venv/bin/python manage.py changepassword facilitator).")
            return
        username = os.environ.get("TREATYCRAFT_ADMIN_USER", "facilitator")
        password = os.environ.get("TREATYCRAFT_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        credentials = Path(settings.BASE_DIR) / ".facilitator-login.txt"
        credentials.write_text(f"username: {username}\npassword: {password}\n", encoding="utf-8")
        credentials.chmod(0o600)
        bar = "=" * 64
        self.stdout.write(self.style.SUCCESS(
            f"\n{bar}\n Facilitator login created\n   username: {username}\n   password: {password}\n"
            f" (also saved in {credentials.name}; change it with manage.py changepassword)\n{bar}\n"
        ))
