"""Native helpdesk targets (``type = "zendesk" | "freshdesk" | "rt"`` in ``[[targets]]``) and
the sync that brings ticket status back to the cases (:mod:`triage.helpdesk.sync`)."""
