"""A mail hook for tests: `python tests/support/mail_hook.py FOLDER` writes the mail it reads on
standard input to FOLDER/mail-N.json, as a real hook would hand it to a mail server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

folder = Path(sys.argv[1])
message = json.load(sys.stdin)
folder.mkdir(parents=True, exist_ok=True)
number = len(list(folder.glob("mail-*.json")))
(folder / f"mail-{number}.json").write_text(json.dumps(message))
