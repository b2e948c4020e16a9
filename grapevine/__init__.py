"""Grapevine, the application: command line, configuration, the daily job and the demo."""

__version__ = "0.1.0"
