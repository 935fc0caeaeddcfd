"""The Celery app bound to the Flask app: what `python -m worker` (a worker) and `celery -A worker.app beat` load."""

from portal import create_app
from portal.jobs import celery

flask_app = create_app(commands=False)  # a worker runs no `flask` command
app = celery

__all__ = ["app", "flask_app"]
