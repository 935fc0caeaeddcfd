"""Blueprint package of the public pages: the blueprint in routes.py, the register's routes in register.py,
imported here so that they are on the blueprint before the app registers it."""

from portal.public import register, routes  # noqa: F401
from portal.public.routes import bp

__all__ = ["bp"]
