"""Error pages: a clear message in the user's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.access import safe_next
from portal.extensions import db
from portal.services.files import StoredFileMissing


def _page(status: int, title: str, message: str, back: str | None = None) -> ResponseReturnValue:
    return render_template("errors/error.html", status=status, title=title, message=message, back=back), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        app.logger.info("CSRF refused on %s: %s", request.path, error.description)
        return _page(
            400,
            _("Uw formulier kon niet worden verwerkt"),
            _(
                "De beveiligingscode van het formulier is verlopen of ongeldig. "
                "Ga terug naar het formulier, laad de pagina opnieuw en verstuur het nog eens."
            ),
            back=safe_next(request.path),
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded) -> ResponseReturnValue:
        return _page(
            429,
            _("Te veel pogingen"),
            _("U hebt te vaak geprobeerd in te loggen. Wacht een kwartier en probeer het dan opnieuw."),
            back=safe_next(request.path),
        )

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> ResponseReturnValue:
        return _page(403, _("Geen toegang"), _("U hebt geen toegang tot deze pagina met uw rol."))

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> ResponseReturnValue:
        return _page(404, _("Pagina niet gevonden"), _("Controleer het adres of ga naar de startpagina."))

    @app.errorhandler(405)
    def method_not_allowed(error: HTTPException) -> ResponseReturnValue:
        return _page(405, _("Deze actie kan hier niet"), _("Ga terug en gebruik de knoppen op de pagina."))

    @app.errorhandler(413)
    def too_large(error: HTTPException) -> ResponseReturnValue:
        return _page(
            413,
            _("Het bestand is te groot"),
            _("Wat u verstuurde is te groot. Een bijlage mag hoogstens 50 MB zijn; de oproep kan een lagere grens hebben."),
            back=safe_next(request.path),
        )

    @app.errorhandler(StoredFileMissing)
    def file_missing(error: StoredFileMissing) -> ResponseReturnValue:
        # Never made up again: a receipt or letter that changed would no longer be the one handed out.
        app.logger.error("stored file missing: %s (on %s)", error, request.path)
        db.session.rollback()
        return _page(
            500,
            _("Een bestand ontbreekt"),
            _("Dit bestand hoort in de opslag van het portaal te zitten, maar is er niet. Het wordt niet opnieuw gemaakt. Meld het aan de beheerder met de datum en het adres van deze pagina."),
        )

    @app.errorhandler(500)
    def server_error(error: Exception) -> ResponseReturnValue:
        db.session.rollback()  # a failed statement leaves the session unusable for the page itself
        return _page(
            500,
            _("Er ging iets mis"),
            _("Er ging iets mis aan onze kant. Uw gegevens zijn niet verloren; probeer het over enkele minuten opnieuw."),
        )
