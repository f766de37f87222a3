"""``python -m service`` is the ``synergraph`` command."""

import sys

from .cli import main

sys.exit(main())
