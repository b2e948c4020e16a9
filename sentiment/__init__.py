"""Sentiment: pure text analysis (sentiment, complaint, aspects, customer matching, priority).

Imports no other package of ours and reads no file at import.
"""

from sentiment.analyzer import VERSION, Analysis, Analyzer, analyze, label_for
from sentiment.linking import CustomerIndex, CustomerRecord, LinkCandidate, MentionRecord
from sentiment.priority import priority

__all__ = [
    "VERSION",
    "Analysis",
    "Analyzer",
    "CustomerIndex",
    "CustomerRecord",
    "LinkCandidate",
    "MentionRecord",
    "analyze",
    "label_for",
    "priority",
]
