"""Make a crawled row storable: what PostgreSQL or SQLite would refuse is cleaned first.

Sources serve whatever they like; one refused field must not cost a batch. Before a write:

* NUL is removed from every string, nested JSON (``raw``, ``metrics``) included (PostgreSQL
  text and JSON cannot hold it);
* a lone surrogate (JSON allows ``"\\ud800"``; UTF-8 cannot encode it) becomes U+FFFD;
* short fields (author, handle, brand, language, source type…) lose other C0 control
  characters and are cut to their column length with a visible ``…``; review text, title and
  URL are ``Text`` and are never cut;
* an ``external_id`` longer than its column is cut deterministically and ends in a short hash
  of the whole id, so the (source, external id) key is the same on every run;
* ``reach`` beyond a 32-bit integer (the column's type on PostgreSQL) is clamped.

:func:`jsonable` is the same cleaning for any value plus datetimes as ISO strings, for the
quarantine's copy of an item (which must always be storable).
"""

import hashlib
import math
import re
from datetime import date, datetime
from typing import Any

from storage.models import Mention

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_ALL_CONTROL = re.compile("[\x00-\x1f\x7f]")
MARK = "…"
#: The longest ``reach`` a PostgreSQL ``integer`` holds.
MAX_INT = 2**31 - 1


def _limits() -> dict[str, int]:
    table = Mention.__table__  # type: ignore[attr-defined]
    out = {}
    for column in table.columns:
        length = getattr(column.type, "length", None)
        if isinstance(length, int):
            out[column.name] = length
    return out


#: Column name -> maximum length, for the ``mention`` columns that have one.
LIMITS = _limits()


def clean_string(value: str) -> str:
    """``value`` without NUL and with lone surrogates replaced by U+FFFD (nothing else)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if value.isascii():
        return value
    try:
        value.encode("utf-8")  # C speed; raises only on a surrogate
    except UnicodeEncodeError:
        value = _SURROGATE.sub("\ufffd", value)
    return value


def clean_json(value: Any) -> Any:
    """A JSON value with every string (keys too) cleaned by :func:`clean_string`."""
    if isinstance(value, str):
        return clean_string(value)
    if isinstance(value, dict):
        return {clean_json(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN/Infinity are not JSON
    return value


def truncate(value: str, length: int) -> str:
    """``value`` cut to ``length`` characters, ending in ``…`` when it was cut."""
    if len(value) <= length:
        return value
    return value[: length - 1] + MARK


def stable_id(value: str, length: int) -> str:
    """An id that fits ``length``: long ones keep their start plus a hash of the whole."""
    if len(value) <= length:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{value[: length - 17]}~{digest}"


def clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a ``mention`` row that the database will accept field by field."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, str):
            value = clean_string(value)
            limit = LIMITS.get(name)
            if limit is not None:
                if name in ("external_id", "source"):
                    value = stable_id(_ALL_CONTROL.sub("", value), limit)
                else:
                    value = truncate(_CONTROL.sub("", value), limit)
        elif isinstance(value, dict | list):
            value = clean_json(value)
        elif name == "reach" and isinstance(value, int) and not isinstance(value, bool):
            value = max(-MAX_INT, min(value, MAX_INT))
        elif isinstance(value, float) and not math.isfinite(value):
            value = None
        out[name] = value
    return out


def jsonable(value: Any) -> Any:
    """Any value as cleaned JSON: datetimes as ISO strings, unknown objects as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {clean_string(str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return clean_json(value)
    try:
        return clean_string(str(value))
    except Exception:  # an object that cannot even be printed is still recorded
        return f"<unreadable {type(value).__name__}>"
