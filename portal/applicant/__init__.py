"""Blueprint package of the applicant pages."""
