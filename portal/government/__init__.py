"""Blueprint package of a government's own pages about its people (its colleagues in the portal)."""
