"""Run with ``python -m treadctl``."""

from treadctl.cli import main

raise SystemExit(main(own_process=True))
