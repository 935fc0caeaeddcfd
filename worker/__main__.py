"""`python -m worker [options]`: a Celery worker of the portal, with every option of `celery worker`.

Why not `celery -A worker.app worker`: Celery's umbrella command imports all its subcommands, which a worker
never uses, among them `celery amqp` with its interactive shell (click-repl, prompt_toolkit): 9 MiB more in
every worker process (bench/notifications.py, solo pool: 156 MiB against 147 MiB). The command run here is
Celery's own `worker` command, so its options, defaults and `CELERY_WORKER_*` variables are the same.
Beat, which runs once, still starts with `celery -A worker.app beat`.
"""

from __future__ import annotations

from celery.bin.base import CLIContext
from celery.bin.worker import worker as celery_worker

from worker.app import app


def main() -> None:
    # What the umbrella command does before it calls `worker`: a context that carries the app.
    context = CLIContext(app=app, no_color=None, workdir=None)
    celery_worker.main(prog_name="python -m worker", obj=context, auto_envvar_prefix="CELERY_WORKER")


if __name__ == "__main__":
    main()
