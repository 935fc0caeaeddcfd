"""The blueprint of the applicant's pages; its routes live in the modules of this package, which registers them."""

from flask import Blueprint

bp = Blueprint("applicant", __name__, url_prefix="/mijn-dossiers")
