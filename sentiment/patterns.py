"""Find which named groups of patterns occur in a text, fast.

Searching a few hundred alternatives over every text costs more than VADER itself, so a
:class:`PatternSet` compiles each alternative on its own and indexes it by the one to three
letters a match can begin with (worked out from the regular expression). A text is cut into
the beginnings of its words once (:func:`word_starts`); only the alternatives that can begin
with one of them are tried, and only where such a word begins. An alternative whose beginning
cannot be worked out is always searched, so the index never changes a result, only the time
it takes.

Matches start at a word boundary and end at one (``still`` does not match "stillness"); the
text is expected in lower case and the patterns are written in lower case.
"""

import functools
import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

try:  # the parser behind ``re`` (Python 3.11+); without it every alternative is searched
    _sre: Any = importlib.import_module("re._constants")
    _sre_parse: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - older interpreters
    _sre = _sre_parse = None

#: How many letters of a word the index looks at.
KEY_LENGTH = 3
_KEY = re.compile(rf"(?<!\w)[#\w]\w{{0,{KEY_LENGTH - 1}}}")
_WORDISH = re.compile(r"[#\w]")
_WORDCHAR = re.compile(r"\w")

# How a prefix being worked out ends: it may grow, the word ended (a space, a full stop, the
# end of the pattern), it is long enough, or an unknown construct follows.
_GROWS, _WORD_END, _FULL, _UNKNOWN = range(4)
_State = tuple[str, int]
Starts = dict[str, list[int]]


def word_starts(lowered: str) -> Starts:
    """Where the words of ``lowered`` begin, by their first three characters (or fewer)."""
    starts: Starts = {}
    for match in _KEY.finditer(lowered):
        key = match.group()
        found = starts.get(key)
        if found is None:
            starts[key] = [match.start()]
        else:
            found.append(match.start())
    return starts


def _extend(states: set[_State], op: Any) -> set[_State] | None:
    out: set[_State] = set()
    for prefix, status in states:
        if status != _GROWS:
            out.add((prefix, status))
            continue
        found = _op(op, KEY_LENGTH - len(prefix))
        if found is None:
            return None
        for piece, piece_status in found:
            joined = prefix + piece
            if len(joined) >= KEY_LENGTH:
                out.add((joined[:KEY_LENGTH], _FULL))
            else:
                out.add((joined, piece_status))
    return out if len(out) <= 5000 else None


def _sequence(ops: Iterable[Any]) -> set[_State] | None:
    states: set[_State] | None = {("", _GROWS)}
    for op in ops:
        assert states is not None
        states = _extend(states, op)
        if states is None:
            return None
        if all(status != _GROWS for _, status in states):
            break
    return states


def _chars(items: list[Any]) -> set[_State]:
    out: set[_State] = set()
    for kind, value in items:
        if kind is _sre.LITERAL:
            chars = [chr(value)]
        elif kind is _sre.RANGE and value[1] - value[0] < 64:
            chars = [chr(c) for c in range(value[0], value[1] + 1)]
        elif kind is _sre.CATEGORY and value is _sre.CATEGORY_DIGIT:
            chars = [str(d) for d in range(10)]
        elif kind is _sre.CATEGORY and value is _sre.CATEGORY_SPACE:
            out.add(("", _WORD_END))
            continue
        else:
            return {("", _UNKNOWN)}
        for ch in chars:
            out.add((ch, _GROWS) if _WORDISH.match(ch) else ("", _WORD_END))
    return out


def _op(op: Any, budget: int) -> set[_State] | None:
    kind, value = op
    if kind is _sre.LITERAL:
        ch = chr(value)
        return {(ch, _GROWS)} if _WORDISH.match(ch) else {("", _WORD_END)}
    if kind is _sre.IN:
        return _chars(value)
    if kind is _sre.BRANCH:
        out: set[_State] = set()
        for branch in value[1]:
            found = _sequence(branch)
            if found is None:
                return None
            out |= found
        return out
    if kind is _sre.SUBPATTERN:
        return _sequence(value[3])
    if kind is _sre.ATOMIC_GROUP:
        return _sequence(value)
    if kind in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, high, body = value
        result: set[_State] = {("", _GROWS)} if low == 0 else set()
        states: set[_State] | None = {("", _GROWS)}
        for count in range(1, min(high, budget) + 1):
            for item in body:
                states = _extend(states, item) if states is not None else None
            if states is None:
                return None
            result |= {state for state in states if state[1] != _GROWS or count >= low}
        return result
    if kind in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return {("", _GROWS)}  # zero width; ignoring a lookaround only widens the index
    return {("", _UNKNOWN)}  # any character, a class, a back-reference: stop here


def prefixes(pattern: str) -> frozenset[str] | None:
    """The first word (up to three characters) every match of ``pattern`` starts with.

    ``None`` when it cannot be worked out: a match may start with no word character, or the
    first word is cut short by a construct such as ``\\w+`` after fewer than three characters.
    """
    if _sre_parse is None:
        return None
    try:
        states = _sequence(list(_sre_parse.parse(pattern)))
    except Exception:  # an unexpected construct: search it always
        return None
    if not states:
        return None
    found = set()
    for prefix, status in states:
        if not prefix or (status == _UNKNOWN and len(prefix) < KEY_LENGTH):
            return None
        found.add(prefix)
    return frozenset(found)


@functools.lru_cache(maxsize=8192)
def _keys(source: str) -> frozenset[str] | None:
    """The prefixes of one alternative, worked out once per process."""
    return prefixes(source)


@functools.lru_cache(maxsize=8192)
def _single(source: str) -> re.Pattern[str]:
    """One alternative compiled (ending at a word boundary), once per process however many
    pattern sets share it."""
    return re.compile(f"(?:{source})(?!\\w)")


@functools.lru_cache(maxsize=4096)
def _combined(sources: tuple[str, ...]) -> re.Pattern[str]:
    """Several alternatives as one compiled expression (ending at a word boundary)."""
    if len(sources) == 1:
        return _single(sources[0])
    return re.compile("(?:" + "|".join(f"(?:{source})" for source in sources) + ")(?!\\w)")


class PatternSet:
    """Named groups of alternative regular expressions, searched through a prefix index."""

    def __init__(self, groups: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.names = [name for name, _ in groups]
        self._index: dict[str, list[tuple[int, Any]]] = {}
        self._always: list[tuple[int, re.Pattern[str]]] = []
        by_key: dict[str, dict[int, list[str]]] = {}
        for group, (_, alternatives) in enumerate(groups):
            for source in alternatives:
                keys = _keys(source)
                if keys is None:
                    self._always.append((group, _single(source)))
                else:
                    for key in keys:
                        by_key.setdefault(key, {}).setdefault(group, []).append(source)
        # the alternatives of one group that can begin with the same key are tried as one
        # expression (one call instead of several; at a position the first that matches wins)
        for key, sources in by_key.items():
            self._index[key] = [
                (group, _combined(tuple(dict.fromkeys(alts))).match)
                for group, alts in sources.items()
            ]

    def find(self, lowered: str, starts: Starts | None = None) -> dict[str, str]:
        """``{group name: the words that matched}`` for every group found, in group order.

        ``starts`` is :func:`word_starts` of ``lowered`` when the caller has it already.
        """
        if starts is None:
            starts = word_starts(lowered)
        found: dict[int, str] = {}
        for group, pattern in self._always:
            if group not in found:
                text = _search(pattern, lowered)
                if text is not None:
                    found[group] = text
        index = self._index
        for key, positions in starts.items():
            entries = index.get(key)
            if entries is None:
                continue
            for group, match in entries:
                if group in found:
                    continue
                for pos in positions:
                    hit = match(lowered, pos)
                    if hit is not None:
                        found[group] = hit.group(0).strip()
                        break
        names = self.names
        return {names[group]: found[group] for group in sorted(found)}

    def matches(
        self, lowered: str, starts: Starts | None = None, *, every: int | None = None
    ) -> list[tuple[int, int, int]]:
        """Matches as ``(start, -end, group number)``, sorted: earliest, then longest.

        Groups numbered below ``every`` (all groups when ``None``) give every match; the
        others only their first, which saves work when only whether a group occurs matters.
        """
        hits: list[tuple[int, int, int]] = []
        limit = len(self.names) if every is None else every
        done = bytearray(len(self.names))
        for group, pattern in self._always:
            pos = 0
            while (found := pattern.search(lowered, pos)) is not None:
                start = found.start()
                if start == 0 or not _WORDCHAR.match(lowered, start - 1):
                    hits.append((start, -found.end(), group))
                pos = start + 1
        index = self._index
        if starts is None:
            for word in _KEY.finditer(lowered):
                entries = index.get(word.group())
                if entries is not None:
                    pos = word.start()
                    for group, match in entries:
                        if done[group]:
                            continue
                        hit = match(lowered, pos)
                        if hit is not None:
                            hits.append((pos, -hit.end(), group))
                            if group >= limit:
                                done[group] = 1
        else:
            for key, positions in starts.items():
                entries = index.get(key)
                if entries is None:
                    continue
                for group, match in entries:
                    for pos in positions:
                        hit = match(lowered, pos)
                        if hit is not None:
                            hits.append((pos, -hit.end(), group))
        hits.sort()
        return hits

    def spans(self, lowered: str, starts: Starts | None = None) -> list[tuple[str, int, int]]:
        """Every match as ``(group name, start, end)``, in text order, without overlaps
        (where two overlap, the one that starts first, or the longer, wins)."""
        if starts is None:
            starts = word_starts(lowered)
        hits = self.matches(lowered, starts)
        out: list[tuple[str, int, int]] = []
        reached = 0
        for start, negative_end, group in hits:
            if start >= reached:
                out.append((self.names[group], start, -negative_end))
                reached = -negative_end
        return out


def _search(pattern: re.Pattern[str], text: str) -> str | None:
    """The first match of ``pattern`` that starts at a word boundary."""
    pos = 0
    while True:
        match = pattern.search(text, pos)
        if match is None:
            return None
        start = match.start()
        if start == 0 or not _WORDCHAR.match(text, start - 1):
            return match.group(0).strip()
        pos = start + 1
