"""``python -m smoke.cli``: the same as the ``smoke`` command."""

from __future__ import annotations

import sys

from smoke.cli.main import main

sys.exit(main())
