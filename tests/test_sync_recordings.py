"""The Google Reader client read against the exchanges recorded from a real FreshRSS
(../shared/sync/greader-freshrss), and the test server checked against them: the
same id forms, token shapes and answers the client relies on."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from reader.core.sync.greader import _item, _long_ids, long_item_id, seconds

sys.path.insert(0, str(Path(__file__).parent))
from greader_server import GReaderServer  # noqa: E402

RECORDINGS = Path(__file__).resolve().parent.parent.parent / "shared" / "sync" / "greader-freshrss"
pytestmark = pytest.mark.skipif(not RECORDINGS.is_dir(), reason=f"no recordings at {RECORDINGS}")


def exchanges(name: str) -> list[dict[str, Any]]:
    return list(json.loads((RECORDINGS / name).read_text(encoding="utf-8")))


def recorded_items() -> list[dict[str, Any]]:
    return [
        item
        for exchange in exchanges("08-stream-contents.json")
        if isinstance(exchange["response"]["body"], dict)
        for item in exchange["response"]["body"].get("items", [])
    ]


def test_both_id_forms_and_the_bare_hex_name_one_item() -> None:
    assert long_item_id("1796233071674597") == "tag:google.com,2005:reader/item/000661aa1a2bc4e5"
    assert long_item_id("tag:google.com,2005:reader/item/000661aa1a2bc4e5").endswith("bc4e5")
    assert long_item_id("000661aa1a2bc4e5") == long_item_id("1796233071674597")
    # A page of references converted at once agrees with one at a time, whatever forms
    # it mixes (the fast pass takes decimal strings only).
    decimals = ["1796233071674597", "0", "9" * 19, "1"]
    for page in (decimals, [*decimals, "-1", "000661aa1a2bc4e5", 12]):
        assert _long_ids(page) == [long_item_id(raw) for raw in page]


def test_every_recorded_item_parses_with_its_state_and_times() -> None:
    items = recorded_items()
    assert len(items) > 20
    for raw in items:
        item = _item(raw)
        assert item.id == long_item_id(raw["timestampUsec"])  # the two forms agree
        assert item.feed_id.startswith("feed/")
        assert item.starred == ("user/-/state/com.google/starred" in raw["categories"])
        assert item.read == ("user/-/state/com.google/read" in raw["categories"])
        assert item.published == raw["published"]
        assert "\uff06" not in item.title and "\uff1c" not in item.title
    fish = next(_item(raw) for raw in items if raw["title"].startswith("Fish"))
    assert fish.title == "Fish & Chips <recipe>"
    assert seconds("1796233071674") == seconds("1796233071674000") == 1796233071.674


def test_recorded_item_refs_are_the_items_ids() -> None:
    ids = {_item(raw).id for raw in recorded_items()}
    refs = {
        long_item_id(ref["id"])
        for exchange in exchanges("07-stream-ids.json")
        if isinstance(exchange["response"]["body"], dict)
        for ref in exchange["response"]["body"].get("itemRefs", [])
    }
    assert len(refs) == 19 and refs == ids  # the README: 19 items in all


def test_the_test_server_answers_login_and_token_as_freshrss_did() -> None:
    login = next(e for e in exchanges("01-login.json") if e["response"]["status"] == 200)
    recorded_body = login["response"]["body"]
    token = next(e for e in exchanges("02-token.json") if e["response"]["status"] == 200)
    recorded_t = token["response"]["body"]
    with GReaderServer() as server:
        answer = httpx.post(
            f"{server.url}/accounts/ClientLogin",
            data={"Email": "alice", "Passwd": "test-api-pass"},
        )
        lines = answer.text.splitlines()
        assert [line.split("=")[0] for line in lines] == [
            line.split("=")[0] for line in recorded_body.splitlines()
        ]
        auth = lines[2].removeprefix("Auth=")
        t = httpx.get(
            f"{server.url}/reader/api/0/token",
            headers={"Authorization": f"GoogleLogin auth={auth}"},
        ).text
        assert len(t) == len(recorded_t) and t.endswith("Z\n") == recorded_t.endswith("Z\n")
        refused = httpx.get(f"{server.url}/reader/api/0/subscription/list?output=json")
        recorded_401 = next(e for e in exchanges("01-login.json") if e["response"]["status"] == 401)
        assert refused.status_code == 401 and refused.text == recorded_401["response"]["body"]
        assert refused.headers["google-bad-token"] == "true"
