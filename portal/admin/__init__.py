"""Blueprint package of the admin pages."""
