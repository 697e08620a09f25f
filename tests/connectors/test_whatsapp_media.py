"""Inbound WhatsApp media into storage: a signed webhook with an image → the message at once →
`whatsapp.media_fetch` downloads it through the Media API of the local Graph server → the file in
the private `message-media` bucket, readable through `/storage/v1` with the real supabase client by
a member of the organization and by nobody else. Runs with the local-directory store and with the
S3 store against moto (IAM auth on, so the daemon's SigV4 signatures are checked)."""
from __future__ import annotations

import importlib.util
import sys
import uuid

import pytest
from storage3.exceptions import StorageApiError
from supabase import ClientOptions, create_client

from harness import ROOT, dumps, fixture_id, hub_signature, load_fixture, post, start_banquet, stop_banquet, wait_for
from providers import FakeGraph
from whatsapp_payloads import inbound_text

# The storage suite's moto server (tests/gateway/moto_server.py), loaded by path: the two suites
# each have a conftest.py, so neither is importable from the other by name.
_spec = importlib.util.spec_from_file_location("moto_server", ROOT / "tests/gateway/moto_server.py")
moto_server = importlib.util.module_from_spec(_spec)
sys.modules["moto_server"] = moto_server
_spec.loader.exec_module(moto_server)

TOKEN = "graph-media-token-0123456789"
APP_SECRET = "whatsapp-media-app-secret"
PHONE_NUMBER_ID = "wa-a"  # tests.fixture()'s WhatsApp account for org_a


@pytest.fixture(scope="module")
def moto():
    instance = moto_server.start_moto()
    yield instance
    instance.process.terminate()
    instance.process.wait(timeout=10)


@pytest.fixture(scope="module", params=["local", "s3"])
def env(request, moto):
    graph = FakeGraph(TOKEN)
    settings = {"BANQUET_WHATSAPP_TRANSPORT": "graph", "WHATSAPP_ACCESS_TOKEN": TOKEN, "WHATSAPP_GRAPH_URL": graph.url,
                "WHATSAPP_APP_SECRET": APP_SECRET}
    if request.param == "s3":
        settings.update(moto_server.s3_env(moto))
    banquet = start_banquet(settings)
    load_fixture(banquet)
    yield banquet, graph, request.param, moto
    failed = request.session.testsfailed > 0
    stop_banquet(banquet, keep_artifacts=f"connectors_whatsapp_media_{request.param}" if failed else None)
    graph.stop()


def storage_as(banquet, user: str):
    """The real supabase client's storage, signed in as a tests.fixture() user."""
    token = banquet.token("authenticated", sub=fixture_id(banquet, user), email=f"{user}@test.local")
    return create_client(banquet.url, banquet.anon_key, options=ClientOptions(headers={"Authorization": f"Bearer {token}"})).storage


def inbound_image(banquet, media_id: str, caption: str) -> str:
    wamid, sender = f"wamid.{uuid.uuid4().hex}", "4477009" + str(uuid.uuid4().int)[:5]
    payload = inbound_text(PHONE_NUMBER_ID, wamid, sender, "")
    payload["entry"][0]["changes"][0]["value"]["messages"][0] = {
        "from": sender, "id": wamid, "timestamp": "1732870000", "type": "image",
        "image": {"caption": caption, "mime_type": "image/jpeg", "sha256": "ignored-by-the-webhook", "id": media_id}}
    body = dumps(payload)
    code, answer, _ = post(banquet.url + "/functions/v1/whatsapp", body,
                           {"Content-Type": "application/json", "X-Hub-Signature-256": hub_signature(APP_SECRET, body)})
    assert code == 200, answer
    return wamid


def test_an_inbound_image_lands_in_message_media_readable_by_its_organization_only(env):
    banquet, graph, backend, moto = env
    media_id, data = str(uuid.uuid4().int)[:16], b"\xff\xd8\xff\xe0" + uuid.uuid4().bytes * 64
    graph.media[media_id] = ("image/jpeg", data)
    wamid = inbound_image(banquet, media_id, "Our room layout")
    # The message is there at once, before the download.
    org, conversation = banquet.sql("select organization_id::text, conversation_id::text from app.messages where provider_message_id = %s", wamid)[0]
    assert banquet.sql("select body, media ->> 'media_id' from app.messages where provider_message_id = %s", wamid) == [("Our room layout", media_id)]

    media = wait_for(lambda: banquet.sql("select media from app.messages where provider_message_id = %s and media ? 'path'", wamid),
                     what="the media downloaded")[0][0]
    name = f"{org}/{conversation}/{wamid}.jpg"
    assert media["bucket"] == "message-media" and media["path"] == name
    assert media["mime_type"] == "image/jpeg" and media["size"] == len(data)
    (owner, metadata), = banquet.sql("select owner, metadata from storage.objects where bucket_id = 'message-media' and name = %s", name)
    assert owner is None
    assert (metadata["size"], metadata["mimetype"], metadata["contentLength"]) == (len(data), "image/jpeg", len(data))
    lookups = graph.matching(lambda r: r.path.startswith(f"/v21.0/{media_id}") or r.path.startswith(f"/media-download/{media_id}"))
    assert len(lookups) == 2 and all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in lookups)

    # The bytes are in the backend itself, at <bucket>/<name>.
    if backend == "s3":
        assert moto.get(f"message-media/{name}") == data
    else:
        assert (banquet.data_dir / "storage" / "message-media" / name).read_bytes() == data

    # A member of the organization (staff, the least role) downloads it through /storage/v1 …
    assert storage_as(banquet, "staff_a").from_("message-media").download(name) == data
    # … and sees it in the conversation's folder.
    listed = storage_as(banquet, "staff_a").from_("message-media").list(f"{org}/{conversation}")
    assert [item["name"] for item in listed] == [f"{wamid}.jpg"]
    # A member of another organization gets "not found", not the file.
    with pytest.raises(StorageApiError) as refused:
        storage_as(banquet, "owner_b").from_("message-media").download(name)
    assert (refused.value.status, refused.value.code) == ("404", "not_found")
    # Members may not write into the bucket: only the daemon does.
    with pytest.raises(StorageApiError) as forged:
        storage_as(banquet, "owner_a").from_("message-media").upload(f"{org}/{conversation}/forged.jpg", data, {"content-type": "image/jpeg"})
    assert forged.value.status == "403"
    assert banquet.sql("select count(*) from storage.objects where bucket_id = 'message-media' and name like %s", f"%forged%") == [(0,)]


def test_a_media_id_meta_does_not_know_fails_the_job_and_stores_nothing(env):
    banquet, _, _, _ = env
    wamid = inbound_image(banquet, "9999000011112222", "missing")
    message_id = banquet.sql("select id::text from app.messages where provider_message_id = %s", wamid)[0][0]
    job = wait_for(lambda: banquet.sql("""select status, last_error from bridge.jobs
                                          where kind = 'whatsapp.media_fetch' and payload ->> 'message_id' = %s and status = 'dead'""", message_id),
                   what="the media job dead")[0]
    assert "does not exist" in job[1]
    assert banquet.sql("select media ? 'path' from app.messages where id = %s", message_id) == [(False,)]
    assert banquet.sql("select count(*) from storage.objects where bucket_id = 'message-media' and name like %s", f"%{wamid}%") == [(0,)]


def test_a_photo_over_the_default_4_mib_response_cap_lands_whole(env):
    """Media downloads have their own transport, capped at the bucket's 25 MiB, not the 4 MiB every
    other provider call keeps (this 6 MiB photo failed permanently before)."""
    banquet, graph, _, _ = env
    media_id, data = str(uuid.uuid4().int)[:16], b"\xff\xd8\xff\xe0" + uuid.uuid4().bytes * (6 * 65536)
    assert len(data) > 6 << 20
    graph.media[media_id] = ("image/jpeg", data)
    wamid = inbound_image(banquet, media_id, "The full-resolution floor plan")
    media = wait_for(lambda: banquet.sql("select media from app.messages where provider_message_id = %s and media ? 'path'", wamid),
                     what="the 6 MiB media downloaded")[0][0]
    assert media["size"] == len(data)
    assert storage_as(banquet, "staff_a").from_("message-media").download(media["path"]) == data


def test_a_file_larger_than_the_bucket_allows_fails_before_it_is_downloaded(env):
    banquet, graph, _, _ = env
    media_id = str(uuid.uuid4().int)[:16]
    graph.media[media_id] = ("video/mp4", bytes(25 * 1024 * 1024 + 1))
    wamid = inbound_image(banquet, media_id, "a long video")
    message_id = banquet.sql("select id::text from app.messages where provider_message_id = %s", wamid)[0][0]
    _, error, attempts = wait_for(lambda: banquet.sql("""select status, last_error, attempts from bridge.jobs
                                          where kind = 'whatsapp.media_fetch' and payload ->> 'message_id' = %s and status = 'dead'""", message_id),
                                  what="the media job dead")[0]
    assert f"media {media_id} is 26214401 bytes" in error and "up to 26214400 bytes" in error
    assert attempts == 1, "too large is permanent: no retry"
    assert graph.matching(lambda r: r.path.startswith(f"/media-download/{media_id}")) == [], "the file was never downloaded"
    assert banquet.sql("select media ? 'path' from app.messages where id = %s", message_id) == [(False,)]
    del graph.media[media_id]
