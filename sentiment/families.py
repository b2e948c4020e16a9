"""The complaint families: the language of complaints, in groups a person can read.

Each :class:`Family` has a name (shown in the cues), what it means, and its patterns (lower
case, matched at word boundaries through :mod:`sentiment.patterns`). Their weights and how
they combine are in :mod:`sentiment.complaint`.

The families themselves are data: ``[[family]]`` of the pack's ``families.toml``
(``sentiment/packs/en/families.toml``), read by :func:`sentiment.packs.load_pack`.
"""

from typing import Any

from sentiment.packs import Family

__all__ = ["Family"]


def __getattr__(name: str) -> Any:
    """``FAMILIES``: the English pack's complaint families, read on first use."""
    if name == "FAMILIES":
        from sentiment.packs import load_pack

        return load_pack("en").families
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
