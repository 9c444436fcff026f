from __future__ import annotations

import multiprocessing
import os

# Live-server tests start Daphne in a child process. Forking after asgiref's sync thread exists
# hangs every database call in the child, so always spawn (see docs/architecture.md, testing).
multiprocessing.set_start_method("spawn", force=True)
os.environ.setdefault("TREATYCRAFT_TESTING", "1")
