"""Tables of the replies part of the schema (see storage/models.py for the rest)."""
