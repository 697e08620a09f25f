"""A booking with a deposit due: the fixture's inquiry_a gets a proposal for space_a, sent and
accepted through the real RPCs (as a superuser session, which the RPCs treat as the service)."""
from __future__ import annotations

from harness import fixture_id


def accepted_proposal(banquet) -> dict:
    proposal = banquet.sql("select public.create_proposal(tests.id('inquiry_a'), tests.id('space_a'))::text")[0][0]
    token = banquet.sql("select public.send_proposal(%s::uuid, 10)", proposal)[0][0]
    banquet.sql("select public.accept_proposal(%s, 'Guest A')", token)
    booking, status = banquet.sql("select id::text, status from app.bookings where proposal_id = %s", proposal)[0]
    deposit = banquet.sql("select id::text, amount_minor, currency from app.payments where booking_id = %s and kind = 'deposit'", booking)[0]
    return {"proposal": proposal, "booking": booking, "booking_status": status,
            "deposit_id": deposit[0], "deposit_minor": deposit[1], "currency": deposit[2], "org": fixture_id(banquet, "org_a")}
