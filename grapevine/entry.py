"""The ``grapevine`` console script.

``grapevine score`` is a streaming filter a marketer may run over a year of reviews, so it is
dispatched without importing the rest of the application (the crawler, storage and the
dashboard take a second to import); every other command goes through :mod:`grapevine.cli`.
"""

import sys


def main() -> None:
    """Run ``grapevine``; ``grapevine score …`` takes the fast path."""
    if sys.argv[1:2] == ["score"]:
        from grapevine.scoring import score

        score(args=sys.argv[2:], prog_name="grapevine score")
        return
    from grapevine.cli import main as full

    full()
