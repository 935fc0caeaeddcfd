"""Blueprint package of the auth pages."""
