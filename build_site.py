#!/usr/bin/env python3
"""Check the evidence data and build the website. Run `python build_site.py --help`."""

import os
import sys

from evidence.cli import main

if __name__ == "__main__":
    code = main()
    # Everything a command writes is written and closed when it returns: exit without freeing every object one by
    # one first, which takes a tenth of a second and more with thousands of studies loaded.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
