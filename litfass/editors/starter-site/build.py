"""Build the portal: `python build.py` (see `python build.py --help`)."""

import sys

from litfass.cli import main

if __name__ == "__main__":
    sys.exit(main())
