"""Tables of the privacy part of the schema (see storage/models.py for the rest)."""
