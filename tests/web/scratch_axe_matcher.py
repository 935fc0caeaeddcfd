import re
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from portal.db import utcnow
from portal.services import matching as service
from tests.conftest import make_user
from tests.factories import open_call
from tests.web.test_matching_matcher import government, matcher, need_of, offer_of, propose  # noqa: F401
from workflows.matching import Answer, Side


def test_axe(client, matcher, db_session):
    g_small, g_big, g_offer, g_other = government("24062"), government("44021"), government("11001"), government("37022")
    small = need_of(g_small, ["participatie", "data_tools"], 8_000, 5)
    big = need_of(g_big, ["lokale_regie"], 265_000, 30)
    sharing = offer_of(g_offer, ["participatie"])
    other = offer_of(g_other, ["impactmeting", "lokale_regie"])
    m1 = service.propose(big.id, other.id, matcher, "Past goed.", utcnow())
    service.answer(m1, Side.GIVING, g_other, Answer.ACCEPTED, "", utcnow())
    service.answer(m1, Side.RECEIVING, g_big, Answer.ACCEPTED, "", utcnow())
    service.start_application(m1, open_call(), g_other, utcnow())
    m2 = service.propose(small.id, other.id, matcher, "", utcnow())
    service.answer(m2, Side.RECEIVING, g_small, Answer.DECLINED, "Te ver weg.", utcnow())
    db_session.flush()
    pages = {}
    for path in ["/matching/", "/matching/aanbod", "/matching/vragen", f"/matching/vragen/{small.id}", f"/matching/vragen/{big.id}", f"/matching/matches/{m1.id}", f"/matching/matches/{m2.id}"]:
        r = client.get(path)
        assert r.status_code == 200, path
        pages[path] = r.get_data(as_text=True)
    r = propose(client, small, sharing)
    loc = r.headers["Location"]
    pages[loc] = client.get(loc).get_data(as_text=True)
    r = propose(client, small, sharing, "tweede keer")
    assert r.status_code == 400
    pages["refused"] = r.get_data(as_text=True)
    r = propose(client, small, other, "x" * 2001)
    assert r.status_code == 400
    pages["too long"] = r.get_data(as_text=True)
    open("/tmp/matcher_pages.html", "w").write("\n\n=====\n\n".join(f"<!-- {k} -->\n{v}" for k, v in pages.items()))
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        bad = []
        for name, html in pages.items():
            page.set_content(html)
            results = axe.run(page)
            if results.violations_count:
                bad.append(name + "\n" + results.generate_report())
        browser.close()
    assert not bad, "\n".join(bad)
