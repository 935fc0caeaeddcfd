"""Blueprint package of the public pages: the blueprint in routes.py, the register's and the self-check's routes
in modules of their own, imported here so that they are on the blueprint before the app registers it."""

from portal.public import access_request, register, routes, selfcheck  # noqa: F401
from portal.public.routes import bp

__all__ = ["bp"]
