"""`python -m veille` runs the command-line interface."""

from veille.cli import main

main()
