"""Blueprint package of the account pages."""
