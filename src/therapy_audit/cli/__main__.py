"""``python -m therapy_audit.cli``: the same as the ``therapy-audit`` command."""

import sys

from therapy_audit.cli import main

sys.exit(main())
