"""``grapevine score``: the command is in :mod:`grapevine.scoring` (it starts without the rest)."""

from grapevine.scoring import score

COMMANDS = [score]
