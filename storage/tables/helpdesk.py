"""Tables of the helpdesk part of the schema (see storage/models.py for the rest)."""
