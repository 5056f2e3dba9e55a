"""The loopback server: revisions, status codes, validators and the synthetic mode."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from email.utils import format_datetime

import pytest
from demo_helpers import get

from clausewatch.demo.catalog import DemoError, DemoManifest
from clausewatch.demo.server import DemoServer
from clausewatch.demo.synthetic import synthetic_expected, synthetic_page


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as running:
        yield running


@pytest.fixture(autouse=True)
def back_to_first(server: DemoServer) -> Iterator[None]:
    yield
    server.set_revision(1)


def test_every_revision_is_served_as_declared(server: DemoServer, manifest: DemoManifest) -> None:
    assert server.base_url.startswith("http://127.0.0.1:") and server.port > 0
    for number in range(1, manifest.revisions + 1):
        server.set_revision(number)
        for doc in manifest.documents():
            rev = doc.revision(number)
            status, headers, body = get(server.url(doc.path))
            assert (status, headers["content-type"]) == (rev.status, rev.content_type)
            assert body == rev.read()
            assert headers["etag"] == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            assert headers["last-modified"] == format_datetime(rev.date, usegmt=True)
            for name, value in rev.headers.items():
                assert headers[name.lower()] == value


def test_tracking_query_strings_reach_the_same_document(server: DemoServer) -> None:
    plain = get(server.url("/parcelly/privacy-notice"))
    tracked = get(server.url("/parcelly/privacy-notice?utm_source=mail&utm_campaign=x"))
    assert plain[0] == tracked[0] == 200 and plain[2] == tracked[2]


def test_conditional_requests_get_304(server: DemoServer) -> None:
    url = server.url("/chirpnest/tos")
    status, headers, _ = get(url)
    etag, modified = headers["etag"], headers["last-modified"]
    assert status == 200
    assert get(url, {"If-None-Match": etag})[0] == 304
    assert get(url, {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert get(url, {"If-None-Match": '"other"'})[0] == 200
    assert get(url, {"If-Modified-Since": modified})[0] == 304
    status, headers304, body = get(url, {"If-None-Match": etag})
    assert body == b"" and headers304["etag"] == etag
    server.set_revision(2)
    status, headers, body = get(url, {"If-None-Match": etag, "If-Modified-Since": modified})
    assert status == 200 and headers["etag"] != etag and body


def test_the_bot_wall_is_never_not_modified(server: DemoServer) -> None:
    server.set_revision(3)
    url = server.url("/lumora-ai/legal/usage-policy")
    status, headers, body = get(url)
    assert status == 403 and b"Checking your browser" in body
    assert headers["cf-mitigated"] == "challenge"
    assert get(url, {"If-None-Match": headers["etag"]})[0] == 403


def test_set_revision_switches_every_document(server: DemoServer) -> None:
    first = get(server.url("/quillbase/legal/terms"))[2]
    server.set_revision(4)
    assert server.revision == 4
    fourth = get(server.url("/quillbase/legal/terms"))[2]
    assert first != fourth and b"FIFTY US DOLLARS" in fourth and b"FIFTY" not in first
    with pytest.raises(DemoError, match="between 1 and 4"):
        server.set_revision(5)
    with pytest.raises(DemoError):
        server.set_revision(0)
    assert server.revision == 4


def test_index_lists_every_document(server: DemoServer, manifest: DemoManifest) -> None:
    status, headers, body = get(server.base_url + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    for doc in manifest.documents():
        assert f'href="{doc.path}"'.encode() in body
    status, _, body = get(server.base_url + "/index.json")
    listing = json.loads(body)
    assert listing["revision"] == 1 and listing["revisions"] == 4
    assert {d["path"] for d in listing["documents"]} == {d.path for d in manifest.documents()}
    assert get(server.url("/nothing/here"))[0] == 404


def test_a_busy_port_is_a_clear_error(server: DemoServer) -> None:
    with pytest.raises(DemoError) as caught:
        DemoServer(port=server.port).start()
    assert caught.value.where == f"127.0.0.1:{server.port}"


def test_a_given_port_is_used_and_released() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with DemoServer(port=port, revision=2) as running:
        assert running.base_url == f"http://127.0.0.1:{port}"
        assert json.loads(get(running.base_url + "/index.json")[2])["revision"] == 2
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(DemoError, match="not running"):
        _ = running.base_url


def test_synthetic_mode_serves_n_distinct_pages() -> None:
    with DemoServer.synthetic(40) as running:
        assert running.paths == [f"/synthetic/{i}" for i in range(40)]
        bodies = [get(running.url(f"/synthetic/{i}")) for i in range(40)]
        assert all(status == 200 for status, _, _ in bodies)
        assert len({body for _, _, body in bodies}) == 40
        assert all(5_000 <= len(body) <= 20_000 for _, _, body in bodies)
        assert bodies[3][2] == synthetic_page(3, 1)
        assert len({headers["etag"] for _, headers, _ in bodies}) == 40
        assert get(running.url("/synthetic/40"))[0] == 404
        assert get(running.url("/synthetic/007"))[0] == 404
        running.set_revision(3)
        status, _, body = get(running.url("/synthetic/2"))
        assert status == 200 and body == synthetic_page(2, 3) != bodies[2][2]
        assert get(running.url("/synthetic/2"), {"If-None-Match": bodies[2][1]["etag"]})[0] == 200


def test_synthetic_needs_documents() -> None:
    with pytest.raises(DemoError):
        DemoServer.synthetic(0)


def test_synthetic_revision_plan() -> None:
    verdicts = {synthetic_expected(i, r) for i in range(8) for r in range(1, 5)}
    assert verdicts == {"initial", "no-change", "substantive", "rights-affecting"}
    assert synthetic_expected(5, 3) == "no-change" and synthetic_expected(4, 3) == "substantive"
    assert (
        synthetic_expected(8, 4) == "rights-affecting" and synthetic_expected(6, 4) == "no-change"
    )
    assert synthetic_page(11, 2) == synthetic_page(11, 2)
