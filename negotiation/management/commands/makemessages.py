"""manage.py makemessages, which also extracts the engine's catalogue (game_engine/catalogue.py).

The engine marks its English sentences with the no-op markers ``N_`` (a sentence), ``NP_``
(singular and plural) and ``NC_`` (a word with a context); xgettext learns them here, so Spanish,
and any other language, is a .po file and nothing else (docs/architecture.md, "The message path").

The engine is always scanned, even if ``--ignore=game_engine`` is given (older instructions said
so): ignoring it would mark every engine sentence obsolete in the .po files. It uses no gettext
call of its own, so only the marked catalogue strings are extracted from it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

ENGINE = "game_engine"


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=N_",
        "--keyword=NP_:1,2",
        "--keyword=NC_:1c,2",
    ]

    def handle(self, *args: Any, **options: Any) -> None:
        ignored = list(options.get("ignore_patterns") or [])
        kept = [p for p in ignored if p.strip("/").split("/")[0] != ENGINE]
        if len(kept) != len(ignored) and int(options.get("verbosity", 1)) > 0:
            self.stdout.write("Scanning game_engine anyway: its catalogue is part of the translations.")
        options["ignore_patterns"] = kept
        super().handle(*args, **options)
