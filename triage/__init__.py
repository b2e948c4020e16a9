"""Triage: the case workflow, SLA and follow-ups, response templates, exports and alerts."""
