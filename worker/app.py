"""Entry point for `celery -A worker.app worker` and `celery -A worker.app beat`."""

from portal import create_app
from portal.jobs import celery

flask_app = create_app(commands=False)  # a worker runs no `flask` command
app = celery

__all__ = ["app", "flask_app"]
