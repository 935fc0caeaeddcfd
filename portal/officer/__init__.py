"""Blueprint package of the officer pages."""
