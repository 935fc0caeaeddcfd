"""Login throttling is shared by every web process when its storage is Redis."""

import pytest
import redis

from portal.extensions import db
from tests.conftest import IsolatedClient, csrf_token, make_app
from tests.services import redis_url

LIMITS_DB = 14


@pytest.mark.redis
def test_failed_logins_on_one_web_process_count_on_another(app, smtp_sink):
    store = redis.Redis.from_url(redis_url(LIMITS_DB))
    store.flushdb()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    web_one = make_app(uri, smtp_sink, RATELIMIT_STORAGE_URI=redis_url(LIMITS_DB))
    web_two = make_app(uri, smtp_sink, RATELIMIT_STORAGE_URI=redis_url(LIMITS_DB))
    web_one.test_client_class = web_two.test_client_class = IsolatedClient
    browser_one, browser_two = web_one.test_client(), web_two.test_client()
    email = "aanvaller-doelwit@example.be"
    try:
        for _ in range(5):
            token = csrf_token(browser_one, "/inloggen")
            response = browser_one.post("/inloggen", data={"csrf_token": token, "email": email, "password": "fout"})
            assert response.status_code == 400
        token = csrf_token(browser_two, "/inloggen")
        response = browser_two.post("/inloggen", data={"csrf_token": token, "email": email, "password": "fout"})
        assert response.status_code == 429
        assert store.dbsize() > 0  # the counters live in Redis, not in either process
    finally:
        store.flushdb()
        for web in (web_one, web_two):
            with web.app_context():
                db.engine.dispose()
