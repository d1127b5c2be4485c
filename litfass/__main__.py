"""Run the command line as `python -m litfass`."""

import sys

from litfass.cli import main

sys.exit(main())
