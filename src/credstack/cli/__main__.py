"""``python -m credstack.cli``: the ``credstack`` command (``credstack serve`` starts its worker so)."""

import sys

from credstack.cli import main

sys.exit(main())
