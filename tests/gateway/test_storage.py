"""`/storage/v1` through the real supabase client (storage3), against a real `banquet serve`.

Every test runs twice: with the local-directory store and with the S3 store pointed at moto's
server mode, which checks SigV4 signatures (IAM auth on), so a request signed wrongly fails there.
Users are rows in `auth.users` with minted tokens (no `/auth/v1` needed); their organization and
venue are created through the RPCs, run as that user the way the gateway runs requests.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt as pyjwt
import psycopg
import pytest
from storage3.exceptions import StorageApiError
from supabase import ClientOptions, create_client

from conftest import Banquet, new_email, start_banquet, stop_banquet
from moto_server import Moto, s3_env, start_moto

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- the deployment under test ----------------------------------------------------------------

@dataclass
class Deployment:
    backend: str
    banquet: Banquet
    moto: Moto | None

    def stored(self, bucket: str, name: str) -> bytes | None:
        """The bytes in the backend itself, bypassing the gateway."""
        if self.moto:
            return self.moto.get(f"{bucket}/{name}")
        path = self.banquet.data_dir / "storage" / bucket / name
        return path.read_bytes() if path.exists() else None


@pytest.fixture(scope="module")
def moto():
    instance = start_moto()
    yield instance
    instance.process.terminate()
    instance.process.wait(timeout=10)


@pytest.fixture(scope="module", params=["local", "s3"])
def deployment(request, moto):
    env = s3_env(moto) if request.param == "s3" else {}
    banquet = start_banquet(env)
    yield Deployment(request.param, banquet, moto if request.param == "s3" else None)
    failed = request.session.testsfailed > getattr(request.module, "_failed_before", 0)
    stop_banquet(banquet, keep_artifacts=f"{request.module.__name__}-{request.param}" if failed else None)


@dataclass
class User:
    id: str
    email: str
    token: str


@dataclass
class World:
    owner: User
    stranger: User
    org: str
    venue: str


def new_user(banquet: Banquet) -> User:
    user_id, email = str(uuid.uuid4()), new_email()
    banquet.sql("insert into auth.users (id, email, aud, role) values (%s, %s, 'authenticated', 'authenticated')", user_id, email)
    return User(user_id, email, banquet.token("authenticated", sub=user_id, email=email))


def as_user(banquet: Banquet, user: User, query: str, *params):
    """Runs one statement as the user, the way the gateway runs a request."""
    claims = json.dumps({"sub": user.id, "role": "authenticated", "email": user.email})
    with psycopg.connect(banquet.db_url) as conn:
        conn.execute("select set_config('request.jwt.claims', %s, true)", [claims])
        conn.execute("set local role authenticated")
        return conn.execute(query, params).fetchone()


@pytest.fixture(scope="module")
def world(deployment) -> World:
    banquet = deployment.banquet
    owner, stranger = new_user(banquet), new_user(banquet)
    org = str(as_user(banquet, owner, "select public.create_organization('Storage Test Group')")[0])
    venue = str(as_user(banquet, owner, "select public.create_venue(%s, 'Harbour Hall')", org)[0])
    return World(owner, stranger, org, venue)


def storage(banquet: Banquet, user: User | None = None):
    options = ClientOptions(headers={"Authorization": f"Bearer {user.token}"}) if user else None
    return create_client(banquet.url, banquet.anon_key, options=options).storage


def object_rows(banquet: Banquet, bucket: str, name: str) -> int:
    return banquet.sql("select count(*) from storage.objects where bucket_id = %s and name = %s", bucket, name)[0][0]


# --- tests ------------------------------------------------------------------------------------

def test_upload_download_list_update_move_remove(deployment, world):
    banquet, images = deployment.banquet, storage(deployment.banquet, world.owner).from_("venue-images")
    name = f"{world.org}/{world.venue}/hall one.png"

    uploaded = images.upload(name, PNG, {"content-type": "image/png"})
    assert uploaded.full_path == f"venue-images/{name}"
    assert images.download(name) == PNG
    assert deployment.stored("venue-images", name) == PNG
    row = banquet.sql("select owner::text, metadata from storage.objects where bucket_id = 'venue-images' and name = %s", name)[0]
    assert row[0] == world.owner.id
    assert row[1]["mimetype"] == "image/png" and row[1]["size"] == len(PNG) and row[1]["cacheControl"] == "max-age=3600"

    # A second upload to the same name is Storage's duplicate; with upsert it replaces.
    with pytest.raises(StorageApiError) as duplicate:
        images.upload(name, PNG + b"2", {"content-type": "image/png"})
    assert duplicate.value.status == "409" and duplicate.value.code == "Duplicate"
    images.upload(name, PNG + b"v2", {"content-type": "image/png", "upsert": "true"})
    assert images.download(name) == PNG + b"v2"
    images.update(name, PNG + b"v3", {"content-type": "image/png"})
    assert images.download(name) == PNG + b"v3"
    assert deployment.stored("venue-images", name) == PNG + b"v3"

    images.upload(f"{world.org}/{world.venue}/nested/deep.png", PNG, {"content-type": "image/png"})
    top = images.list(world.org)
    assert [entry["name"] for entry in top] == [world.venue] and top[0]["id"] is None
    level = images.list(f"{world.org}/{world.venue}")
    assert [(entry["name"], entry["id"] is None) for entry in level] == [("hall one.png", False), ("nested", True)]
    assert level[0]["metadata"]["size"] == len(PNG) + 2
    assert [entry["name"] for entry in images.list(f"{world.org}/{world.venue}", {"search": "hall"})] == ["hall one.png"]

    moved = f"{world.org}/{world.venue}/hall-renamed.png"
    images.move(name, moved)
    assert images.download(moved) == PNG + b"v3"
    assert deployment.stored("venue-images", name) is None and deployment.stored("venue-images", moved) == PNG + b"v3"
    with pytest.raises(StorageApiError) as gone:
        images.download(name)
    assert gone.value.status == "404" and gone.value.code == "not_found"

    removed = images.remove([moved, f"{world.org}/{world.venue}/nested/deep.png"])
    assert sorted(entry["name"] for entry in removed) == sorted([moved, f"{world.org}/{world.venue}/nested/deep.png"])
    assert object_rows(banquet, "venue-images", moved) == 0
    assert deployment.stored("venue-images", moved) is None
    assert images.list(f"{world.org}/{world.venue}") == []


def test_signed_url_downloads_without_a_token_until_it_expires(deployment, world):
    banquet, brochures = deployment.banquet, storage(deployment.banquet, world.owner).from_("venue-brochures")
    name = f"{world.org}/{world.venue}/signed.pdf"
    brochures.upload(name, PDF, {"content-type": "application/pdf"})

    signed = brochures.create_signed_url(name, 60)["signedURL"]
    answer = httpx.get(signed)  # no apikey, no Authorization: the token is the authorization
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"

    # The token names its path: used on another object it is refused.
    brochures.upload(f"{world.org}/{world.venue}/other.pdf", PDF + b"other", {"content-type": "application/pdf"})
    tampered = httpx.get(signed.replace("/signed.pdf?", "/other.pdf?"))
    assert tampered.status_code == 400 and tampered.json()["error"] == "InvalidSignature"
    # A token for the right path signed with another secret is refused, and so is `alg: none`.
    now = int(time.time())
    claims = {"url": f"venue-brochures/{name}", "scope": "download", "iat": now, "exp": now + 60}
    base = signed.split("?token=")[0]
    forged = httpx.get(base, params={"token": pyjwt.encode(claims, "another-secret-that-is-long-enough-0123456789", algorithm="HS256")})
    assert forged.status_code == 400 and forged.json()["message"] == "invalid signature"
    unsigned = httpx.get(base, params={"token": pyjwt.encode(claims, None, algorithm="none")})
    assert unsigned.status_code == 400 and unsigned.json()["error"] == "InvalidJWT"

    bulk = brochures.create_signed_urls([name, f"{world.org}/{world.venue}/missing.pdf"], 60)
    assert bulk[0]["error"] is None and httpx.get(bulk[0]["signedURL"]).content == PDF
    assert bulk[1]["signedURL"] is None and "does not exist" in bulk[1]["error"]

    short = brochures.create_signed_url(name, 1)["signedURL"]
    time.sleep(2.2)
    expired = httpx.get(short)
    assert expired.status_code == 400 and expired.json() == {
        "statusCode": "400", "error": "InvalidJWT", "code": "InvalidJWT", "message": "jwt expired"}

    # Signing needs read access: a stranger cannot mint a URL for the owner's file.
    with pytest.raises(StorageApiError) as refused:
        storage(banquet, world.stranger).from_("venue-brochures").create_signed_url(name, 60)
    assert refused.value.status == "404"


def test_public_url_of_a_public_bucket(deployment, world):
    banquet, owner = deployment.banquet, storage(deployment.banquet, world.owner)
    name = f"{world.org}/logo.png"
    owner.from_("logos").upload(name, PNG, {"content-type": "image/png"})
    url = owner.from_("logos").get_public_url(name)
    assert url.startswith(banquet.url + "/storage/v1/object/public/logos/")
    answer = httpx.get(url)  # what a guest page's <img> does: no key at all
    assert answer.status_code == 200 and answer.content == PNG

    owner.from_("venue-brochures").upload(f"{world.org}/{world.venue}/private.pdf", PDF, {"content-type": "application/pdf"})
    private = httpx.get(owner.from_("venue-brochures").get_public_url(f"{world.org}/{world.venue}/private.pdf"))
    assert private.status_code == 400 and private.json()["statusCode"] == "404"


def test_non_member_upload_is_refused_and_nothing_is_stored(deployment, world):
    banquet = deployment.banquet
    name = f"{world.org}/{world.venue}/intruder.png"
    with pytest.raises(StorageApiError) as refused:
        storage(banquet, world.stranger).from_("venue-images").upload(name, PNG, {"content-type": "image/png"})
    assert refused.value.status == "403"
    assert refused.value.message == "new row violates row-level security policy"
    assert object_rows(banquet, "venue-images", name) == 0
    assert deployment.stored("venue-images", name) is None

    # Nor can a stranger overwrite the owner's file with upsert, or read, list or remove it.
    owned = f"{world.org}/{world.venue}/owned.png"
    storage(banquet, world.owner).from_("venue-images").upload(owned, PNG, {"content-type": "image/png"})
    stranger = storage(banquet, world.stranger).from_("venue-images")
    with pytest.raises(StorageApiError) as overwrite:
        stranger.upload(owned, b"evil", {"content-type": "image/png", "upsert": "true"})
    assert overwrite.value.status == "403"
    assert deployment.stored("venue-images", owned) == PNG
    with pytest.raises(StorageApiError) as read:
        stranger.download(owned)
    assert read.value.status == "404"
    assert stranger.list(f"{world.org}/{world.venue}") == []
    assert stranger.remove([owned]) == []
    assert storage(banquet, world.owner).from_("venue-images").download(owned) == PNG


def test_bucket_size_and_mime_limits(deployment, world):
    banquet, owner = deployment.banquet, storage(deployment.banquet, world.owner)
    too_big = f"{world.org}/big.png"
    with pytest.raises(StorageApiError) as size:
        owner.from_("logos").upload(too_big, PNG + b"\x00" * (2 * 1024 * 1024), {"content-type": "image/png"})  # logos: 2 MiB
    assert size.value.status == "413" and size.value.code == "Payload too large"
    assert object_rows(banquet, "logos", too_big) == 0 and deployment.stored("logos", too_big) is None

    with pytest.raises(StorageApiError) as mime:
        owner.from_("venue-images").upload(f"{world.org}/{world.venue}/notes.txt", b"hello", {"content-type": "text/plain"})
    assert mime.value.status == "415" and mime.value.message == "mime type text/plain is not supported"

    # A request body over the largest bucket limit plus slack is cut off with a real 413.
    huge = httpx.post(f"{banquet.url}/storage/v1/object/venue-brochures/{world.org}/{world.venue}/huge.pdf",
                      headers={"apikey": banquet.anon_key, "Authorization": f"Bearer {world.owner.token}", "Content-Type": "application/pdf"},
                      content=b"\x00" * (27 * 1024 * 1024), timeout=60)
    assert huge.status_code == 413 and huge.json()["statusCode"] == "413"


def test_anon_and_missing_key_are_refused(deployment, world):
    banquet = deployment.banquet
    anon = storage(banquet).from_("venue-images")
    with pytest.raises(StorageApiError) as upload:
        anon.upload(f"{world.org}/{world.venue}/anon.png", PNG, {"content-type": "image/png"})
    assert upload.value.status == "403"
    assert anon.list(world.org) == []

    no_key = httpx.get(f"{banquet.url}/storage/v1/object/venue-images/{world.org}/x.png")
    assert no_key.status_code == 401 and no_key.json()["message"] == "No API key found in request"
    bad_token = httpx.get(f"{banquet.url}/storage/v1/object/venue-images/{world.org}/x.png",
                          headers={"apikey": banquet.anon_key, "Authorization": "Bearer not.a.jwt"})
    assert bad_token.status_code == 400 and bad_token.json()["statusCode"] == "403"


def test_buckets_are_readable(deployment, world):
    owner = storage(deployment.banquet, world.owner)
    buckets = {bucket.id: bucket for bucket in owner.list_buckets()}
    assert set(buckets) >= {"venue-images", "logos", "venue-brochures"}
    brochures = owner.get_bucket("venue-brochures")
    assert brochures.public is False and brochures.file_size_limit == 26214400 and brochures.allowed_mime_types == ["application/pdf"]


def test_brochure_upload_registers_its_document_and_extraction_job(deployment, world):
    banquet, brochures = deployment.banquet, storage(deployment.banquet, world.owner).from_("venue-brochures")
    name = f"{world.org}/{world.venue}/dinner-menu.pdf"
    brochures.upload(name, PDF, {"content-type": "application/pdf"})

    document = banquet.sql("""
        select d.id::text, d.kind, d.venue_id::text, d.file_name, d.mime_type, d.uploaded_by::text, d.extraction_status
        from app.documents d where d.bucket_id = 'venue-brochures' and d.object_path = %s""", name)
    assert len(document) == 1
    document_id, kind, venue, file_name, mime, uploaded_by, status = document[0]
    # The daemon runs menu.extract at once, so the status may already have moved on.
    assert (kind, venue, file_name, mime, uploaded_by) == ("brochure", world.venue, "dinner-menu.pdf", "application/pdf", world.owner.id)
    job = banquet.sql("select payload from bridge.jobs where kind = 'menu.extract' and payload ->> 'document_id' = %s", document_id)
    assert len(job) == 1 and job[0][0]["path"] == name and job[0][0]["bucket"] == "venue-brochures"
    assert deployment.stored("venue-brochures", name) == PDF
    # The extraction read the bytes back through the same store (local or S3): this "PDF" has no
    # pages, so it ends as corrupt — not as missing from storage.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        status = banquet.sql("select extraction_status from app.documents where id = %s", document_id)[0][0]
        if status not in ("pending", "extracting"):
            break
        time.sleep(0.1)
    assert status == "corrupt", status

    # Removing the brochure removes its document, so the same name can be uploaded again.
    brochures.remove([name])
    assert banquet.sql("select count(*) from app.documents where object_path = %s", name)[0][0] == 0
    brochures.upload(name, PDF, {"content-type": "application/pdf"})
    assert banquet.sql("select count(*) from app.documents where object_path = %s", name)[0][0] == 1

    # A brochure outside the <organization>/<venue>/<file> layout is refused with the reason.
    with pytest.raises(StorageApiError) as misplaced:
        brochures.upload(f"{world.org}/loose.pdf", PDF, {"content-type": "application/pdf"})
    assert misplaced.value.status == "400" and "<organization id>/<venue id>/<file name>" in misplaced.value.message
    assert deployment.stored("venue-brochures", f"{world.org}/loose.pdf") is None


def test_s3_requests_are_signed_and_a_wrong_secret_fails(deployment, world, moto):
    if deployment.backend != "s3":
        pytest.skip("S3 backend only")
    name = f"{world.org}/{world.venue}/signed-by-sigv4.png"
    storage(deployment.banquet, world.owner).from_("venue-images").upload(name, PNG, {"content-type": "image/png"})
    assert moto.client().get_object(Bucket=moto.bucket, Key=f"venue-images/{name}")["Body"].read() == PNG

    wrong = start_banquet(s3_env(moto, secret_key="not-the-secret-key-0123456789"))
    try:
        owner = new_user(wrong)
        org = str(as_user(wrong, owner, "select public.create_organization('Wrong Key Group')")[0])
        with pytest.raises(StorageApiError) as failed:
            storage(wrong, owner).from_("logos").upload(f"{org}/logo.png", PNG, {"content-type": "image/png"})
        assert failed.value.status == "500" and "request id" in failed.value.message
        assert object_rows(wrong, "logos", f"{org}/logo.png") == 0
        assert moto.get(f"logos/{org}/logo.png") is None
        assert "SignatureDoesNotMatch" in wrong.log()
        assert "not-the-secret-key" not in wrong.log()
    finally:
        stop_banquet(wrong)


def test_raw_body_upload_and_authenticated_download(deployment, world):
    """Clients other than storage3 send the file as the raw body with its Content-Type."""
    banquet = deployment.banquet
    name = f"{world.org}/{world.venue}/raw.webp"
    headers = {"apikey": banquet.anon_key, "Authorization": f"Bearer {world.owner.token}"}
    url = f"{banquet.url}/storage/v1/object/venue-images/{name}"
    created = httpx.post(url, headers={**headers, "Content-Type": "image/webp", "Cache-Control": "60"}, content=b"RIFF-webp")
    assert created.status_code == 200 and created.json()["Key"] == f"venue-images/{name}"
    again = httpx.post(url, headers={**headers, "Content-Type": "image/webp"}, content=b"RIFF-webp-2")
    assert again.status_code == 400 and again.json()["statusCode"] == "409"
    replaced = httpx.post(url, headers={**headers, "Content-Type": "image/webp", "x-upsert": "true"}, content=b"RIFF-webp-3")
    assert replaced.status_code == 200

    fetched = httpx.get(f"{banquet.url}/storage/v1/object/authenticated/venue-images/{name}", headers=headers)
    assert fetched.status_code == 200 and fetched.content == b"RIFF-webp-3"
    assert fetched.headers["content-type"] == "image/webp" and fetched.headers["cache-control"] == "max-age=3600"
    assert deployment.stored("venue-images", name) == b"RIFF-webp-3"
    attachment = httpx.get(f"{banquet.url}/storage/v1/object/authenticated/venue-images/{name}",
                           params={"download": "Menü 2026.webp"}, headers=headers)
    assert attachment.headers["content-disposition"] == "attachment; filename*=UTF-8''Men%C3%BC%202026.webp"
