"""A venue of our own in a test database: an organization with an owner, a venue that drafts
proposals automatically, a space, a menu with priced items and a package — inserted as the
superuser, so the triggers run exactly as they do for the API."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field


@dataclass
class Venue:
    organization_id: str
    owner_id: str
    venue_id: str
    menu_id: str
    items: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (id, price_minor)
    package: tuple[str, int] = ("", 0)  # (id, price_per_guest_minor)


ITEMS = [
    ("Burrata, blood orange", "starter", 1150, "per_person", "{vegetarian}"),
    ("Cured trout, fennel", "starter", 1300, "per_person", "{pescatarian}"),
    ("Beef rib, bone marrow", "main", 3400, "per_person", "{}"),
    ("Wild mushroom risotto", "main", 2450, "per_person", "{vegetarian,gluten_free}"),
    ("Treacle tart", "dessert", 900, "per_person", "{vegetarian}"),
    ("House wine pairing", "drinks", 2800, "per_person", "{}"),
]


def make_venue(banquet, auto_draft: bool = True, name: str = "Test Venue") -> Venue:
    org, owner, venue, menu = (str(uuid.uuid4()) for _ in range(4))
    banquet.sql("insert into auth.users (id, aud, role, email) values (%s, 'authenticated', 'authenticated', %s)",
                owner, f"owner-{owner[:8]}@example.com")
    banquet.sql("insert into app.organizations (id, name, default_currency) values (%s, %s, 'GBP')", org, f"Org {org[:6]}")
    banquet.sql("insert into app.memberships (organization_id, user_id, role) values (%s, %s, 'owner')", org, owner)
    banquet.sql("""insert into app.venues (id, organization_id, name, currency, auto_draft_proposals, service_charge_bps, tax_bps)
                   values (%s, %s, %s, 'GBP', %s, 0, 0)""", venue, org, name, auto_draft)
    banquet.sql("""insert into app.spaces (organization_id, venue_id, name, min_guests, max_guests, room_fee_minor)
                   values (%s, %s, 'Long Room', 10, 60, 0)""", org, venue)
    banquet.sql("insert into app.menus (id, organization_id, venue_id, name) values (%s, %s, %s, 'Winter Feast')", menu, org, venue)
    result = Venue(organization_id=org, owner_id=owner, venue_id=venue, menu_id=menu)
    for index, (item, course, price, unit, dietary) in enumerate(ITEMS):
        item_id = str(uuid.uuid4())
        banquet.sql("""insert into app.menu_items (id, organization_id, menu_id, name, course, price_minor, unit, dietary, sort_order)
                       values (%s, %s, %s, %s, %s, %s, %s, %s, %s)""", item_id, org, menu, item, course, price, unit, dietary, index)
        result.items[item] = (item_id, price)
    package_id = str(uuid.uuid4())
    banquet.sql("""insert into app.packages (id, organization_id, venue_id, menu_id, name, price_per_guest_minor, min_guests, description)
                   values (%s, %s, %s, %s, 'Winter Feast package', 6500, 12, 'Three courses and wine')""", package_id, org, venue, menu)
    result.package = (package_id, 6500)
    return result


def new_inquiry(banquet, venue: Venue, message: str = "A team dinner for our office.", party_size: int = 20,
                budget_minor: int | None = None) -> str:
    inquiry = str(uuid.uuid4())
    banquet.sql("""insert into app.inquiries (id, organization_id, venue_id, guest_name, guest_email, event_date, party_size,
                                              event_type, budget_minor, message)
                   values (%s, %s, %s, 'Ada Guest', %s, current_date + 60, %s, 'Team dinner', %s, %s)""",
                inquiry, venue.organization_id, venue.venue_id, f"ada-{inquiry[:8]}@example.com", party_size, budget_minor, message)
    return inquiry


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def draft_job(banquet, inquiry: str):
    rows = banquet.sql("""select id, status, attempts, last_error from bridge.jobs
                          where kind = 'llm.proposal_draft' and payload ->> 'inquiry_id' = %s""", inquiry)
    return rows[0] if rows else None


def wait_for_draft(banquet, inquiry: str, timeout: float = 30):
    """Waits until the inquiry's draft job has finished (succeeded or dead); returns (proposal, job)."""
    job = wait_for(lambda: (lambda j: j if j and j[1] in ("succeeded", "dead") else None)(draft_job(banquet, inquiry)),
                   timeout=timeout, what=f"the draft job of inquiry {inquiry}")
    proposal = banquet.sql("select id, status, title, notes, subtotal_minor from app.proposals where inquiry_id = %s", inquiry)[0]
    return proposal, job


def proposal_items(banquet, proposal_id: str):
    return banquet.sql("""select kind, menu_item_id::text, package_id::text, description, quantity, unit_price_minor
                          from app.proposal_items where proposal_id = %s and kind <> 'room_fee' order by sort_order""", proposal_id)


def ai_runs(banquet, job_id: int):
    return banquet.sql("""select provider, model, prompt_version, outcome, input_tokens, output_tokens, cost_usd_micros, cost_source,
                                 purpose, error from app.ai_runs where job_id = %s order by id""", job_id)
