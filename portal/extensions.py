"""Flask extensions, created unbound here and bound to the app in the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.db import Base

# create_savepoint: a session given a connection inside a transaction (the tests) never ends that transaction.
db = SQLAlchemy(model_class=Base, session_options={"join_transaction_mode": "create_savepoint"})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
# Talisman (security headers) is made per app in the factory: it keeps its settings and its app on the
# object, so one shared instance would give every app the settings of the last one made.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
