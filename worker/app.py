"""Entry point for `celery -A worker.app worker` and `celery -A worker.app beat`."""

from portal import create_app
from portal.jobs import celery

flask_app = create_app()
app = celery

__all__ = ["app", "flask_app"]
