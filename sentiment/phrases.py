"""Review phrases whose meaning VADER's word-by-word scoring gets wrong or misses.

Each group has a name (shown in the cues), the valence the whole phrase carries on VADER's
-4..4 scale (it replaces the valences of the words it covers) and its patterns, written in
lower case. Where two phrases overlap, the one that starts first (or the longer) wins, so
"would not go back" is advice against and "would go back" is praise.

People complain in reviews without strong negative words — "we waited forty minutes for a
table", "the portions were tiny", "cheap plastic", "my old one was better", "I left halfway
through", "it's okay I guess" — and praise with words that look like complaints — "we didn't
have to wait", "never had a problem", "I can't stop thinking about that pasta". The groups
name those ways of speaking. A phrase of praise (or a neutral term such as "noise
cancelling") also hides the complaint cues inside it: "never" in "never let me down" is not a
complaint's "never".

The phrases themselves are data: ``[[phrase]]`` of the pack's ``phrases.toml``
(``sentiment/packs/en/phrases.toml``), read by :func:`sentiment.packs.load_pack`.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """``REVIEW_PHRASES``: the English pack's ``(name, valence, patterns)``, read on first use."""
    if name == "REVIEW_PHRASES":
        from sentiment.packs import load_pack

        return load_pack("en").phrases
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
