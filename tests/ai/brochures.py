"""Brochures as menu.extract sees them: put where the local storage backend keeps objects
(<BANQUET_DATA_DIR>/storage/<bucket>/<object name>) with a documents row (whose trigger enqueues
menu.extract), then waited for. Shared by the menu-extraction tests and `make bench-menus`."""
from __future__ import annotations

import uuid

from venue import wait_for


def upload(banquet, venue, content: bytes, name: str = "brochure.pdf") -> str:
    path = f"{venue.organization_id}/{uuid.uuid4().hex[:8]}-{name}"
    target = banquet.data_dir / "storage" / "venue-brochures" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    document = banquet.sql("""insert into app.documents (organization_id, venue_id, kind, bucket_id, object_path, file_name, mime_type)
                              values (%s, %s, 'brochure', 'venue-brochures', %s, %s, 'application/pdf') returning id""",
                           venue.organization_id, venue.venue_id, path, name)[0][0]
    return str(document)


def finished(banquet, document):
    def check():
        row = banquet.sql("select extraction_status, extraction_error, extracted_menu_id from app.documents where id = %s", document)[0]
        return row if row[0] not in ("pending", "none") else None
    return wait_for(check, timeout=45, what=f"document {document} to finish extraction")


def saved_items(banquet, menu_id):
    return banquet.sql("select course, name, price_minor, dietary from app.menu_items where menu_id = %s order by sort_order", menu_id)
