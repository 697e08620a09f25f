"""FX against ECB files in the real format: the daily file and the 90-day history (with a
holiday gap) → rates through upsert_fx_rates → a draft proposal in GBP repriced; stale rates
raise the alarm (metric, log, notification)."""
from __future__ import annotations

import datetime as dt
import urllib.request
from decimal import Decimal

import pytest

from ecb import business_days_back, document
from harness import fixture_id, load_fixture, start_banquet, stop_banquet, wait_for
from providers import StaticFiles

DAYS = business_days_back(60)
NEWEST = DAYS[0]
HOLIDAY = DAYS[5]  # a TARGET holiday: no publication that day


def rates_for(index: int) -> dict[str, float]:
    return {"USD": round(1.05 + index * 0.001, 4), "JPY": 160.5, "GBP": round(0.86 - index * 0.0005, 5), "CHF": 0.9371}


HISTORY = [(day, rates_for(i)) for i, day in enumerate(DAYS) if day != HOLIDAY]


@pytest.fixture(scope="module")
def env(request):
    ecb = StaticFiles({
        "/stats/eurofxref/eurofxref-daily.xml": document([(NEWEST, rates_for(0))]),
        "/stats/eurofxref/eurofxref-hist-90d.xml": document(HISTORY),
    })
    banquet = start_banquet({"BANQUET_FX_SOURCE": "ecb", "ECB_RATES_URL": ecb.url + "/stats/eurofxref"})
    load_fixture(banquet)
    # Start from one known old day (the fixture's "yesterday" rates would shadow the feed's days).
    banquet.sql("delete from app.fx_rates")
    banquet.sql("insert into app.fx_rates (base, quote, as_of, rate) values ('EUR', 'GBP', %s, 0.80), ('EUR', 'USD', %s, 1.00)", DAYS[-1] - dt.timedelta(days=30), DAYS[-1] - dt.timedelta(days=30))
    yield banquet, ecb
    stop_banquet(banquet, keep_artifacts="connectors_fx" if request.session.testsfailed else None)
    ecb.stop()


def run_sync(banquet, payload: str):
    job = banquet.sql("select bridge.enqueue('fx.sync', %s::jsonb)", payload)[0][0]
    wait_for(lambda: banquet.sql("select status from bridge.jobs where id = %s", job)[0][0] in ("succeeded", "dead"), what="fx.sync to finish")
    return banquet.sql("select status, last_error, result from bridge.jobs where id = %s", job)[0]


def test_daily_rates_reprice_a_draft_proposal_quoted_in_gbp(env):
    banquet, _ = env
    # Venue B prices in USD; a proposal quoted in GBP converts through EUR.
    proposal = banquet.sql("select public.create_proposal(tests.id('inquiry_b'), tests.id('space_b'), 'GBP')::text")[0][0]
    before = banquet.sql("select fx_rate from app.proposals where id = %s", proposal)[0][0]
    status, error, _ = run_sync(banquet, '{"source": "ECB"}')
    assert status == "succeeded", error
    rates = dict(banquet.sql("select quote, rate from app.fx_rates where base = 'EUR' and as_of = %s", NEWEST))
    assert rates["GBP"] == Decimal("0.86") and rates["USD"] == Decimal("1.05") and rates["JPY"] == Decimal("160.5")
    after = banquet.sql("select fx_rate from app.proposals where id = %s", proposal)[0][0]
    expected = (Decimal("0.86") / Decimal("1.05")).quantize(Decimal("1e-10"))
    assert after != before and abs(after - expected) <= Decimal("1e-9"), (before, after, expected)


def test_the_90_day_history_fills_past_days_and_a_holiday_keeps_the_last_rates(env):
    banquet, _ = env
    status, error, result = run_sync(banquet, '{"source": "ECB", "history": "90d"}')
    assert status == "succeeded", error
    days = banquet.sql("select count(distinct as_of) from app.fx_rates where source = 'ECB' and as_of >= %s", DAYS[-1])[0][0]
    assert days == len(HISTORY)
    assert banquet.sql("select count(*) from app.fx_rates where as_of = %s", HOLIDAY) == [(0,)]
    day_before = DAYS[6]
    expected = round(10000 * rates_for(6)["GBP"])
    # On the holiday (and the weekend after Friday) the previous publication's rate applies.
    assert banquet.sql("select public.convert_currency(10000, 'EUR', 'GBP', %s)", HOLIDAY)[0][0] == expected
    assert banquet.sql("select public.convert_currency(10000, 'EUR', 'GBP', %s)", day_before)[0][0] == expected


def test_stale_rates_raise_the_alarm(env):
    banquet, ecb = env
    old = business_days_back(12)[-1]
    ecb.files["/stats/eurofxref/eurofxref-daily.xml"] = document([(old, rates_for(9))])
    proposal = banquet.sql("select public.create_proposal(tests.id('inquiry_b'), tests.id('space_b'), 'EUR')::text")[0][0]
    assert proposal
    status, error, result = run_sync(banquet, '{"source": "ECB"}')
    assert status == "succeeded", error
    assert result["stale"] is True and result["age_business_days"] >= 10
    notes = banquet.sql("select body from app.notifications where kind = 'fx.stale' and organization_id = %s", fixture_id(banquet, "org_b"))
    assert len(notes) == 1 and old.isoformat() in notes[0][0]
    assert "fx rates are stale" in banquet.log()
    metrics = urllib.request.urlopen(banquet.url + "/metrics", timeout=5).read().decode()
    gauge = [l for l in metrics.splitlines() if l.startswith("fx_rates_age_business_days")]
    assert gauge and float(gauge[0].split()[-1]) >= 10


def test_a_document_that_is_not_an_ecb_file_fails_the_job_permanently(env):
    banquet, ecb = env
    ecb.files["/stats/eurofxref/eurofxref-daily.xml"] = b"<html><body>Maintenance</body></html>"
    status, error, _ = run_sync(banquet, '{"source": "ECB"}')
    assert status == "dead" and "holds no dated rates" in error
