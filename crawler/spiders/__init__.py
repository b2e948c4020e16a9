"""One spider per source type; each spider's ``name`` is its module name and its type."""
