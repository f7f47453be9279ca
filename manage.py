#!/usr/bin/env python
"""Django's command-line utility; `xinbao` (xinbao.cli) is the same with a shorter name."""

from xinbao.cli import main

if __name__ == "__main__":
    main()
