"""Use cases: load rows, ask workflows/ for a decision, apply it, audit it, flush. Never commit."""
