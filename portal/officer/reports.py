"""The dashboard of the call's figures and the list of every dossier."""

from __future__ import annotations

from portal.officer.routes import bp  # noqa: F401
