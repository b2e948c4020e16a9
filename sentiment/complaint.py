"""Complaint detection: a mismatch between what was promised and what happened.

A complaint often carries no negative word ("still waiting for my refund, 3 weeks now"), so
this looks for the language of complaints: waiting, things not arriving, being charged,
unanswered contact, broken or missing items, cancelling, asking for money back.
"""

import re

#: (cue shown to a person, pattern, weight)
CUES: list[tuple[str, str, float]] = [
    ("still waiting", r"\bstill (?:waiting|no|not|haven'?t|hasn'?t|don'?t|nothing)\b", 0.6),
    ("waiting", r"\b(?:waiting|waited) (?:for|on|since)\b", 0.4),
    (
        "not arrived",
        r"\b(?:never|not|hasn'?t|haven'?t|didn'?t|did not|has not|have not)\s+"
        r"(?:yet\s+)?(?:arrived?|received?|showed up|turned up|delivered|got)\b",
        0.6,
    ),
    (
        "no reply",
        r"\bno (?:reply|response|answer|one (?:answers|replies|responds|got back))\b",
        0.6,
    ),
    ("refund", r"\b(?:refund|money back|chargeback)\b", 0.4),
    ("charged", r"\b(?:charged|overcharged|double[- ]charged|billed)\b", 0.35),
    ("broken or missing", r"\b(?:broken|damaged|missing|defective|faulty)\b", 0.45),
    (
        "stopped working",
        r"\b(?:stopped|doesn'?t|does not|won'?t|will not) (?:work|load|open)\w*",
        0.5,
    ),
    ("cancel", r"\bcancel(?:l?ed|l?ing)?\b", 0.35),
    ("again", r"\b(?:again|every time|once more|yet again)\b", 0.15),
    ("never again", r"\bnever (?:again|ordering|buying|coming back|going back)\b", 0.6),
    (
        "negated expectation",
        r"\b(?:not what i (?:ordered|expected|paid for)|would(?:n'?t| not) "
        r"(?:go back|recommend|buy|order)|not as (?:described|advertised))\b",
        0.6,
    ),
    (
        "took too long",
        r"\btook (?:an? |over an? |more than an? )?"
        r"(?:hour|hours|weeks?|days?|months?|ages|forever)\b",
        0.45,
    ),
    ("delay", r"\b(?:delay(?:ed|s)?|late|overdue)\b", 0.35),
    ("why question", r"\bwhy (?:is|are|do|does|did|can'?t|won'?t|has|have|hasn'?t)\b[^?]*\?", 0.3),
    (
        "addressed complaint",
        r"\b(?:your|you guys|you people)\b.*\b(?:worst|terrible|awful|useless|joke)\b",
        0.4,
    ),
]

_COMPILED = [(cue, re.compile(pattern, re.IGNORECASE), weight) for cue, pattern, weight in CUES]


class ComplaintDetector:
    """Score how much a text reads as a complaint (0..1) and say why."""

    def score(self, text: str) -> tuple[float, list[str]]:
        """``(complaint score, cues)``; the score combines cue weights as independent evidence."""
        remaining = 1.0
        cues = []
        for cue, pattern, weight in _COMPILED:
            if pattern.search(text):
                remaining *= 1.0 - weight
                cues.append(f"complaint cue: {cue}")
        return 1.0 - remaining, cues
