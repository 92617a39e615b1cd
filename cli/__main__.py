"""``python -m cli``: the same as the ``guiyang-ops`` command."""

import sys

from cli.main import main

sys.exit(main())
