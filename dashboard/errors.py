"""What a person sees when something goes wrong: one friendly line, never a traceback.

A page that fails is caught by the entry script (:func:`shown`): the person reads what
happened and what to do, and the log gets the exception's type and where it happened. The
exception's message is left out of the log on purpose: a database error carries the SQL
statement and its parameters, which may hold a review, a note or a name.
"""

import logging
import traceback

import streamlit as st
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

log = logging.getLogger(__name__)

#: Case ids are database integers; anything past this is no case (and would overflow).
MAX_ID = 2**31 - 1


def record_id(value: object) -> int | None:
    """``value`` (a query parameter, ``#12`` or ``12``) as a record id, or ``None`` when it
    is not a plausible one (not digits, zero, or past the database's integers)."""
    text = str(value if value is not None else "").strip().lstrip("#")
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def where(exc: BaseException) -> str:
    """The frames of ``exc``'s traceback (file, line, function), without its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    return " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[::-1][:8]
    )


def shown(exc: Exception, page: str) -> None:
    """Log ``exc`` (type and frames only) and tell the person in one line."""
    log.error("page %s failed: %s at %s", page or "queue", type(exc).__name__, where(exc))
    if isinstance(exc, DataError):
        st.error(
            "That value does not fit (too long or out of range), so nothing was saved. "
            "Shorten it and try again."
        )
    elif isinstance(exc, OperationalError | DBAPIError):
        st.error(
            "The database did not answer as expected. Try again in a moment; if it keeps "
            "happening, tell whoever runs Grapevine (the details are in its log)."
        )
    else:
        st.error(
            "Something went wrong on this page. Reload it or go back to the triage queue; "
            "the details are in the dashboard's log."
        )
