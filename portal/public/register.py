"""The public register of grants: a page per reader, a CSV and a JSON file per machine, at stable addresses."""

from __future__ import annotations

import io
from datetime import datetime

from flask import current_app, render_template, send_file, url_for
from flask.typing import ResponseReturnValue

from portal.access import public
from portal.i18n import language_code
from portal.public.routes import bp
from portal.services import budget, reference, register
from portal.services import calls as call_service
from workflows.calls import BRUSSELS

DATASET = "toegekende-projecten"  # part of the stable addresses below: never renamed


def _about() -> dict[str, object]:
    return {
        "titel": "Toegekende projecten: interlokale uitwisseling van expertise in armoedebestrijding",
        "title": "Granted projects: interlocal exchange of expertise in poverty reduction",
        "uitgever": current_app.config["CALL_CONTACT_NAME"],
        "licentie": {
            "naam": current_app.config["OPEN_DATA_LICENCE_NAME"],
            "url": current_app.config["OPEN_DATA_LICENCE_URL"],
        },
        "bron": url_for("public.register_page", _external=True),
        "csv": url_for("public.register_csv", _external=True),
        "aangemaakt_op": datetime.now(BRUSSELS).isoformat(timespec="seconds"),
    }


@bp.get("/register")
@public
def register_page() -> ResponseReturnValue:
    calls = call_service.published_calls()
    return render_template(
        "public/register.html",
        projects=register.granted_projects(),
        calls=calls,
        meters={call.id: budget.meter(call) for call in calls},
        columns=register.COLUMNS,
        theme_names=dict(reference.theme_names(language_code())),
    )


@bp.get(f"/register/{DATASET}.csv")
@public
def register_csv() -> ResponseReturnValue:
    data = register.to_csv(register.granted_projects())
    return send_file(
        io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=f"{DATASET}.csv", max_age=300
    )


@bp.get(f"/register/{DATASET}.json")
@public
def register_json() -> ResponseReturnValue:
    data = register.to_json(register.granted_projects(), _about())
    return send_file(io.BytesIO(data), mimetype="application/json", download_name=f"{DATASET}.json", max_age=300)
