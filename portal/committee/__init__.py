"""Blueprint package of the committee pages."""
