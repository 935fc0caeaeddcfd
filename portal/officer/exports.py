"""Exports for officers and finance: dossiers, scores and payouts as CSV and XLSX."""

from __future__ import annotations

from portal.officer.routes import bp  # noqa: F401
