"""The triage policy: service levels and follow-ups, as plain values (built from the config)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TriagePolicy:
    """How cases are opened and when they are due.

    A case is due ``sla_hours`` after it opens, or ``urgent_sla_hours`` when its priority is
    at least ``urgent_priority``. Resolved cases are followed up ``follow_up_days`` after
    resolution. Competitors' unhappy customers open no case unless ``competitor_cases``.
    One run opens at most ``max_new_cases_per_source`` cases per source (0: no cap), the
    highest priority first; the rest wait for the next runs (flood control).
    """

    sla_hours: float = 24.0
    urgent_sla_hours: float = 4.0
    urgent_priority: float = 0.7
    follow_up_days: tuple[int, ...] = field(default=(30, 60, 90))
    competitor_cases: bool = False
    max_new_cases_per_source: int = 200
