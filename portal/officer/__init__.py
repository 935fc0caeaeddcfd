"""The officer's pages: one blueprint, its routes in the modules below, each imported here so that
its routes are on the blueprint before the app registers it."""

from portal.officer import (  # noqa: F401
    decisions,
    deliveries,
    dossiers,
    exports,
    handling,
    meetings,
    payouts,
    privacy,
    reports,
    routes,
)
from portal.officer.blueprint import bp

__all__ = ["bp"]
