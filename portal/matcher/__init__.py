"""Blueprint package of the matcher pages."""
