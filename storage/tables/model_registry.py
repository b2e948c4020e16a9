"""Tables of the model_registry part of the schema (see storage/models.py for the rest)."""
