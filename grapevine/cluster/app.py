"""The Celery app of a Grapevine cluster, built from the settings (nothing at import time).

Crash safety comes from Celery's settings: a task is acknowledged when it *ends*
(``task_acks_late``), a task whose worker process died is given back to the broker
(``task_reject_on_worker_lost``), a worker takes one task at a time per process
(``worker_prefetch_multiplier = 1``), and on Redis a task unacknowledged for the visibility
timeout (its worker is gone) is redelivered to another worker. Results go to the same Redis
(the chord needs them); on RabbitMQ set ``[cluster] result_backend`` to a Redis URL.
"""

from typing import Any

from celery import Celery

from grapevine.config import Settings


class GrapevineCelery(Celery):
    """A Celery app that carries the Grapevine settings it was made with."""

    grapevine_settings: Settings


def result_backend(settings: Settings) -> str | None:
    """``[cluster] result_backend``, else the broker when it is Redis."""
    broker = settings.broker_url or ""
    return settings.cluster.result_backend or (broker if broker.startswith("redis") else None)


def make_app(settings: Settings) -> GrapevineCelery:
    """The app for ``settings`` (``[cluster]``, ``GRAPEVINE_BROKER_URL``), tasks registered."""
    from grapevine.cluster import tasks

    cluster = settings.cluster
    broker = settings.broker_url
    if not broker:
        raise ValueError(
            "no broker: set [cluster] broker_url or GRAPEVINE_BROKER_URL (redis://127.0.0.1:6379/0)"
        )
    app = GrapevineCelery("grapevine", broker=broker, backend=result_backend(settings))
    redis_options: dict[str, Any] = {
        "visibility_timeout": cluster.visibility_timeout,
        "unacked_restore_interval": cluster.restore_interval_seconds,
        "unacked_restore_throttle": 1,
        "global_keyprefix": cluster.key_prefix,
    }
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=cluster.queue,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_time_limit=cluster.task_time_limit_minutes * 60 + 60,
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_track_started=False,
        broker_transport_options=redis_options if broker.startswith("redis") else {},
        result_backend_transport_options={"global_keyprefix": cluster.key_prefix},
    )
    app.grapevine_settings = settings
    tasks.register(app)
    return app
