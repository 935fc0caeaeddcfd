"""The pure domain core: rules that decide, check, compute. Standard library only (a test enforces it)."""
