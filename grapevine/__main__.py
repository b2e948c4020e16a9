"""``python -m grapevine`` runs the command line."""

from grapevine.cli import main

main()
