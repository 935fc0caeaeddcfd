"""Blueprint package of the public pages."""
