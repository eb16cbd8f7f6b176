#!/usr/bin/env python3
"""Check the evidence data and build the website. Run `python build_site.py --help`."""

import sys

from evidence.cli import main

if __name__ == "__main__":
    sys.exit(main())
