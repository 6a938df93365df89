"""``python -m finhub_reference``: delegates to :func:`finhub_reference.cli.main`."""

import sys

from finhub_reference.cli import main

if __name__ == "__main__":
    sys.exit(main())
