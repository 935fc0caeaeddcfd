"""The blueprint of the officer's pages; its routes live in the modules of this package, which registers them."""

from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/behandeling")
