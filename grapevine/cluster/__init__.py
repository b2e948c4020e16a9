"""The distributed engine: Celery workers crawl one source per task; the day fans in once.

* :mod:`grapevine.cluster.app` — the Celery app, built from the settings (``make_app``).
* :mod:`grapevine.cluster.tasks` — the crawl task (one source, in a child process) and the
  fan-in (the global steps of :mod:`grapevine.job`, once per day, guarded by ``cluster_day``).
* :mod:`grapevine.cluster.day` — enqueue a day (a chord) and wait for it with a deadline.
* :mod:`grapevine.cluster.child` — the crawl of one source in a forked child.
"""
