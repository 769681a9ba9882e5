#!/usr/bin/env python
"""WattBit command line: ``python solve.py [CASE] [--scenario FILE]... [--out DIR]``.

Run ``python solve.py --help`` for every option.
"""

from model.cli import main

if __name__ == "__main__":
    main()
