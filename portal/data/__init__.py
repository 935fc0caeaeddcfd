"""Reference lists kept as data rather than code: the call's themes (call text, seed 002), the fundamental
rights of the Flemish action plan against poverty (seed 004) and the open-data register's column dictionary.
Each is a CSV file with a header row, read once when the module that needs it is imported."""

from __future__ import annotations

import csv
from pathlib import Path


def rows(name: str) -> list[dict[str, str]]:
    with (Path(__file__).parent / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))
