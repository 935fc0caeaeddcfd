"""Error pages: a clear message in the user's language, never a stack trace."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from portal.access import safe_next
from portal.extensions import db
from portal.services.files import StoredFileMissing


def _page(
    status: int, title: str, message: str, back: str | None = None, reference: str | None = None
) -> ResponseReturnValue:
    return render_template(
        "errors/error.html", status=status, title=title, message=message, back=back, reference=reference
    ), status


# A refusal that needs no more than its page: status, title, what to do, and whether to offer the way back
# to the form (a refused post can be sent again from there).
_REFUSALS: dict[int | type[Exception], tuple[int, LazyString, LazyString, bool]] = {
    RateLimitExceeded: (
        429,
        _l("Te veel pogingen"),
        _l("U hebt te vaak geprobeerd in te loggen. Wacht een kwartier en probeer het dan opnieuw."),
        True,
    ),
    403: (403, _l("Geen toegang"), _l("U hebt geen toegang tot deze pagina met uw rol."), False),
    404: (404, _l("Pagina niet gevonden"), _l("Controleer het adres of ga naar de startpagina."), False),
    405: (405, _l("Deze actie kan hier niet"), _l("Ga terug en gebruik de knoppen op de pagina."), False),
    413: (
        413,
        _l("Het bestand is te groot"),
        _l(
            "Wat u verstuurde is te groot. Een bijlage mag hoogstens 50 MB zijn; de oproep kan een lagere grens hebben."
        ),
        True,
    ),
}


def _answer(
    status: int, title: LazyString, message: LazyString, offers_back: bool
) -> Callable[[Exception], ResponseReturnValue]:
    def answer(error: Exception) -> ResponseReturnValue:
        return _page(status, str(title), str(message), back=safe_next(request.path) if offers_back else None)

    return answer


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

    for refusal, (status, title, message, offers_back) in _REFUSALS.items():
        app.register_error_handler(refusal, _answer(status, title, message, offers_back))

    @app.errorhandler(StoredFileMissing)
    def file_missing(error: StoredFileMissing) -> ResponseReturnValue:
        # Never made up again: a receipt or letter that changed would no longer be the one handed out.
        app.logger.error("stored file missing: %s (on %s)", error, request.path)
        db.session.rollback()
        return _page(
            500,
            _("Een bestand ontbreekt"),
            _(
                "Dit bestand hoort in de opslag van het portaal te zitten, maar is er niet. Het wordt niet opnieuw gemaakt. Meld het aan de beheerder met de datum en het adres van deze pagina."
            ),
        )

    @app.errorhandler(500)
    def server_error(error: Exception) -> ResponseReturnValue:
        db.session.rollback()  # a failed statement leaves the session unusable for the page itself
        # A short reference the user can quote, and the one line of the log it finds.
        reference = secrets.token_hex(4).upper()
        original = getattr(error, "original_exception", None) or error
        app.logger.error("server error %s on %s %s", reference, request.method, request.path, exc_info=original)
        return _page(
            500,
            _("Er ging iets mis"),
            _(
                "Er ging iets mis aan onze kant. Uw gegevens zijn niet verloren; probeer het over enkele minuten opnieuw."
            ),
            reference=reference,
        )
