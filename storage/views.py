"""Saved views of the triage queue, per person: a name, the filters and the sort.

A view belongs to the name a person works under (their sign-in name, or the name typed in
the sidebar without sign-in); nobody else sees or changes it. Saving under an existing name
replaces that view, as "Save" does in a spreadsheet. The filters are stored as the
dashboard hands them over (a small JSON object); this module does not interpret them.
"""

from typing import Any

from sqlalchemy import Engine, delete, select
from sqlmodel import Session, col

from storage.models import SavedView
from storage.types import utcnow

#: The longest view name (the column's size); longer names are refused, not cut.
NAME_MAX = 100
#: How many views one person keeps (a list to pick from, not an archive).
PER_PERSON = 50


class ViewError(ValueError):
    """A view that cannot be saved (no name, too long, too many)."""


def list_views(engine: Engine, *, owner: str) -> list[SavedView]:
    """``owner``'s views, by name."""
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.scalars(
                select(SavedView).where(col(SavedView.owner) == owner).order_by(col(SavedView.name))
            ).all()
        )


def get_view(engine: Engine, *, owner: str, name: str) -> SavedView | None:
    """``owner``'s view called ``name``, or ``None``."""
    with Session(engine, expire_on_commit=False) as session:
        return session.scalars(
            select(SavedView).where(col(SavedView.owner) == owner, col(SavedView.name) == name)
        ).first()


def save_view(engine: Engine, *, owner: str, name: str, filters: dict[str, Any]) -> SavedView:
    """Save ``filters`` as ``owner``'s view ``name`` (replacing a view of that name).

    Raises :class:`ViewError` for an empty or over-long name, or past :data:`PER_PERSON`
    views.
    """
    name = " ".join(name.split())
    if not name:
        raise ViewError("a view needs a name")
    if len(name) > NAME_MAX:
        raise ViewError(f"a view name has at most {NAME_MAX} characters")
    if not owner or len(owner) > 200:
        raise ViewError("a view belongs to a person with a name of at most 200 characters")
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        view = session.scalars(
            select(SavedView).where(col(SavedView.owner) == owner, col(SavedView.name) == name)
        ).first()
        if view is None:
            count = len(
                session.scalars(
                    select(col(SavedView.id)).where(col(SavedView.owner) == owner)
                ).all()
            )
            if count >= PER_PERSON:
                raise ViewError(f"at most {PER_PERSON} saved views each: delete one first")
            view = SavedView(owner=owner, name=name, filters=dict(filters), created_at=now)
        else:
            view.filters = dict(filters)
        view.updated_at = now
        session.add(view)
        session.commit()
        session.refresh(view)
        return view


def delete_view(engine: Engine, *, owner: str, name: str) -> bool:
    """Delete ``owner``'s view ``name``; whether there was one."""
    with Session(engine) as session:
        result = session.execute(
            delete(SavedView).where(col(SavedView.owner) == owner, col(SavedView.name) == name)
        )
        session.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]
