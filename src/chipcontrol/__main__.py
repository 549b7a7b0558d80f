"""`python -m chipcontrol` runs the command line."""

from chipcontrol.cli.main import run

run()
