"""Background jobs: the Celery app bound to the Flask app, thin tasks that take ids, the beat schedule."""
