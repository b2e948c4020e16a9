"""Tables of the cluster part of the schema (see storage/models.py for the rest)."""
