"""Reply connectors: answer a mention where it was said, through the platform's own API.

One small module per platform (:mod:`triage.connectors.mastodon`, ``bluesky``, ``appstore``,
``googleplay``, ``googlebusiness``, ``trustpilot``), each registering a :class:`Connector` for
its source type in :data:`triage.connectors.base.REGISTRY`. Credentials come from the
environment only (the variable named in the source's config), never from the config file.
"""
