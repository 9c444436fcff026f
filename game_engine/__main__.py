"""``python -m game_engine``: scenario validation, simulation and balance tools (see cli.py)."""

from __future__ import annotations

import sys

from game_engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
