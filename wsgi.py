"""Creates the app for gunicorn and `flask`; nothing else."""

from portal import create_app

app = create_app()
