"""Sentiment: pure text analysis (sentiment, complaint, aspects, customer matching, priority).

Imports no other package of ours and reads no file at import.
"""

from sentiment.analyzer import VERSION, Analysis, Analyzer, analyze, label_for
from sentiment.priority import priority

__all__ = ["VERSION", "Analysis", "Analyzer", "analyze", "label_for", "priority"]
