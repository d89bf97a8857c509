"""``python -m data_schema codebook|score|columns``: see :mod:`data_schema.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
