"""A real refusal by the database: a trigger that aborts the insert of one mention.

Cleaning before the write makes NUL, surrogates and long fields storable, so the tests that
need a row the database still refuses install this trigger (SQLite or PostgreSQL), and drop
it again to play "the cause was fixed".
"""

from sqlalchemy import Engine, text

MESSAGE = "refused by policy"


def refuse(engine: Engine, external_id: str) -> None:
    """Make the database refuse to insert the mention with ``external_id``."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON mention "
                    f"WHEN NEW.external_id = '{external_id}' "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.external_id = '{external_id}' THEN "
                f"RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON mention "
                "FOR EACH ROW EXECUTE FUNCTION refuse_one()"
            )
        )


def allow(engine: Engine) -> None:
    """Drop the trigger: the cause is fixed."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER refuse_one"))
        else:
            conn.execute(text("DROP TRIGGER refuse_one ON mention"))
            conn.execute(text("DROP FUNCTION refuse_one()"))
