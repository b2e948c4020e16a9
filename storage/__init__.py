"""Storage: SQLModel tables, engine and sessions, queries and Alembic migrations.

Imports no other package of ours.
"""

from storage.engine import make_engine, session_scope
from storage.schema import SchemaError, check_current, upgrade

__all__ = ["SchemaError", "check_current", "make_engine", "session_scope", "upgrade"]
