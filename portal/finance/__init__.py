"""Blueprint package of the finance pages."""
