"""The applicant's pages: one blueprint, its routes in the modules below, each imported here so that
its routes are on the blueprint before the app registers it."""

from portal.applicant import matching, report, routes, timeline  # noqa: F401
from portal.applicant.blueprint import bp

__all__ = ["bp"]
