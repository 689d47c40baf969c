"""Contract tests: replay real Auth0 exchanges, recorded by auth0/go-auth0's own test suite,
against the emulator and check that it answers the way the real tenant did.

The cassettes live in tests/fixtures/auth0-recordings (go-vcr format, MIT licence: see the
README.md and LICENSE there). Each one is replayed on an empty tenant, one interaction at a time
and in the recorded order:

- the request goes to the emulator with the recorded method, path, query, Content-Type and body;
  ids the real tenant generated (org_…, rol_…, auth0|…) and checkpoint `from` cursors are swapped
  for the ones the emulator generated, learnt from its earlier answers;
- the answer must have the recorded status and Content-Type; 204s must be empty, error bodies
  equal; other bodies must have the recorded shape (JSON types and object keys, recursively,
  arrays of the same length), the same pagination numbers, names, descriptions and e-mails;
- a checkpoint-paginated walk must list the same objects as the recorded walk, in any order:
  rows created by one request share a timestamp, and Auth0's order among them is arbitrary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest
import requests
import yaml

from emulator.control_client import ControlClient
from tests.conftest import AUDIENCE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "auth0-recordings"
RECORDED_ORIGIN = "https://go-auth0-dev.eu.auth0.com"

# Cassettes of the go-auth0 set (see the README.md index) that were not copied, and why.
NOT_COPIED: dict[str, str] = {
    "TestEmailTemplateManager_Create": "only calls /email-templates, which is not emulated",
    "TestOrganizationManager_UpdateDBConnection/"
    "When_signup_enabled_with_assign_membership_false_should_fail": (
        "is about /clients, /connections and enabled_connections, none of which is emulated"
    ),
}
# Copied cassettes that are not replayed, and why (none at the moment).
SKIPPED: dict[str, str] = {}

# Keys the recorder dropped from the body: go-auth0 re-serialised /oauth/token answers through
# its oauth.TokenSet struct, which has no `scope` field, though Auth0 sends one.
NOT_RECORDED: dict[str, frozenset[str]] = {"/oauth/token": frozenset({"scope"})}

# Values that come from the request or from paging, not from the tenant's generators.
SAME_VALUE_KEYS = frozenset(
    {
        "start",
        "limit",
        "total",
        "length",
        "name",
        "display_name",
        "description",
        "email",
        "username",
        "token_type",
        "expires_in",
    }
)

ID = re.compile(r"(?<![A-Za-z0-9])(?:(?:org|rol)_[A-Za-z0-9]+|auth0(?:\||%7C)[A-Za-z0-9]+)")
FROM_CURSOR = re.compile(r"(?<=[?&]from=)[^&]*")


# --- the cassettes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One recorded interaction: what go-auth0 sent and what Auth0 answered."""

    index: int
    method: str
    url: str
    content_type: str | None
    user_agent: str | None
    body: str
    status: int
    response_content_type: str | None
    response_body: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def is_checkpoint_page(self) -> bool:
        query = dict(parse_qsl(urlsplit(self.url).query))
        return "from" in query or "take" in query

    def __str__(self) -> str:
        target = self.url.removeprefix(RECORDED_ORIGIN)
        return f"interaction {self.index} ({self.method} {target} -> {self.status})"


def cassette_names() -> list[str]:
    """Every cassette in the fixtures folder, as its path without `.yaml`."""
    return sorted(
        path.relative_to(RECORDINGS).with_suffix("").as_posix()
        for path in RECORDINGS.rglob("*.yaml")
    )


def load_cassette(name: str) -> list[Exchange]:
    cassette = yaml.safe_load((RECORDINGS / f"{name}.yaml").read_text(encoding="utf-8"))
    return [_exchange(item) for item in cassette["interactions"]]


def _exchange(item: dict[str, Any]) -> Exchange:
    request, response = item["request"], item["response"]
    return Exchange(
        index=item["id"],
        method=request["method"],
        url=request["url"],
        content_type=_header(request, "Content-Type"),
        user_agent=_header(request, "User-Agent"),
        body=request["body"],
        status=response["code"],
        response_content_type=_header(response, "Content-Type"),
        response_body=response["body"],
    )


def _header(message: dict[str, Any], name: str) -> str | None:
    values = (message.get("headers") or {}).get(name) or [None]
    return values[0]


REPLAYED = [name for name in cassette_names() if name not in SKIPPED]


# --- comparing bodies -------------------------------------------------------------------------


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def brief(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def assert_same_shape(recorded: Any, ours: Any, path: str = "$") -> None:
    """Same JSON type at every level; objects with the same keys; arrays of the same length."""
    kind = json_type(recorded)
    expect(
        json_type(ours) == kind,
        f"{path}: the recording has {kind} {brief(recorded)}, "
        f"the emulator {json_type(ours)} {brief(ours)}",
    )
    if isinstance(recorded, dict):
        missing = sorted(recorded.keys() - ours.keys())
        extra = sorted(ours.keys() - recorded.keys())
        expect(
            not missing and not extra,
            f"{path}: keys differ; the emulator lacks {missing} and adds {extra}",
        )
        for key, value in recorded.items():
            assert_same_shape(value, ours[key], f"{path}.{key}")
    elif isinstance(recorded, list):
        expect(
            len(ours) == len(recorded),
            f"{path}: the recording has {len(recorded)} items, the emulator {len(ours)}",
        )
        for index, (item, our_item) in enumerate(zip(recorded, ours, strict=True)):
            assert_same_shape(item, our_item, f"{path}[{index}]")


def id_kind(value: Any) -> str:
    """The kind of a generated id: its prefix (org_, rol_, auth0|)."""
    return re.sub(r"[A-Za-z0-9]+$", "", unquote(value)) if isinstance(value, str) else "none"


def assert_same_facts(recorded: Any, ours: Any, path: str = "$") -> None:
    """On bodies of the same shape: values listed in SAME_VALUE_KEYS are equal, and where the
    recording has a generated id the emulator has an id of the same kind."""
    if isinstance(recorded, dict):
        for key, value in recorded.items():
            if key in SAME_VALUE_KEYS:
                expect(
                    ours[key] == value,
                    f"{path}.{key}: the recording has {brief(value)}, the emulator {brief(ours[key])}",
                )
            else:
                assert_same_facts(value, ours[key], f"{path}.{key}")
    elif isinstance(recorded, list):
        for index, (item, our_item) in enumerate(zip(recorded, ours, strict=True)):
            assert_same_facts(item, our_item, f"{path}[{index}]")
    elif isinstance(recorded, str) and ID.fullmatch(recorded):
        expect(
            id_kind(ours) == id_kind(recorded),
            f"{path}: the recording has the id {recorded}, the emulator {brief(ours)}",
        )


def page_items(body: dict[str, Any]) -> tuple[str, list[Any]]:
    """The collection of a checkpoint page: its one array-valued key."""
    (collection,) = (key for key, value in body.items() if isinstance(value, list))
    return collection, body[collection]


def item_id(item: dict[str, Any]) -> str:
    return item.get("id") or item["user_id"]


# --- the replay -------------------------------------------------------------------------------


@dataclass
class Walk:
    """The items a checkpoint-paginated list showed, page after page."""

    recorded: list[str] = field(default_factory=list)
    ours: list[str] = field(default_factory=list)


class Replay:
    """Replays one cassette against the emulator, learning which of the emulator's ids and
    cursors stand for the recorded ones."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token
        self.session = requests.Session()
        self.session.trust_env = False  # the emulator is on 127.0.0.1: no proxy
        self.ids: dict[str, str] = {}
        self.cursors: dict[str, str] = {}
        self.walks: dict[str, Walk] = {}

    def send(self, exchange: Exchange) -> requests.Response:
        target = exchange.url.removeprefix(RECORDED_ORIGIN)
        expect(target != exchange.url, f"unexpected host in {exchange.url}")
        target = FROM_CURSOR.sub(self._our_cursor, self.swap_ids(target))
        headers: dict[str, str] = {}
        if exchange.content_type is not None:
            headers["Content-Type"] = exchange.content_type
        if exchange.user_agent is not None:
            headers["User-Agent"] = exchange.user_agent
        if exchange.path == "/oauth/token":
            body = token_request_body(exchange.body)
        else:
            headers["Authorization"] = f"Bearer {self.token}"
            body = self.swap_ids(exchange.body)
        return self.session.request(
            exchange.method,
            self.base_url + target,
            data=body.encode(),
            headers=headers,
            timeout=10,
        )

    def swap_ids(self, text: str) -> str:
        """Recorded ids (raw or percent-encoded) replaced by the emulator's."""

        def swap(match: re.Match[str]) -> str:
            recorded = unquote(match.group())
            expect(recorded in self.ids, f"{recorded} is used before an answer introduced it")
            ours = self.ids[recorded]
            return ours if match.group() == recorded else quote(ours, safe="")

        return ID.sub(swap, text)

    def _our_cursor(self, match: re.Match[str]) -> str:
        recorded = unquote(match.group())
        expect(recorded in self.cursors, f"the cursor {recorded} was never answered as `next`")
        return quote(self.cursors[recorded], safe="")

    def check(self, exchange: Exchange, response: requests.Response) -> None:
        expect(
            response.status_code == exchange.status,
            f"status {response.status_code}, recorded {exchange.status}",
        )
        if exchange.response_content_type is not None:
            content_type = response.headers.get("Content-Type", "")
            expect(
                content_type.startswith("application/json")
                and content_type == exchange.response_content_type,
                f"Content-Type {content_type!r}, recorded {exchange.response_content_type!r}",
            )
        if not exchange.response_body:
            expect(response.content == b"", "the recorded answer is empty, the emulator's not")
            return
        recorded = json.loads(exchange.response_body)
        ours = response.json()
        if exchange.status >= 400:
            expect(ours == recorded, f"error body {brief(ours)}, recorded {brief(recorded)}")
            return
        if isinstance(ours, dict):
            dropped = NOT_RECORDED.get(exchange.path, frozenset())
            ours = {key: value for key, value in ours.items() if key not in dropped}
        assert_same_shape(recorded, ours)
        self.learn(recorded, ours)
        if exchange.is_checkpoint_page:
            self.follow_walk(exchange.path, recorded, ours)
        else:
            assert_same_facts(recorded, ours)

    def learn(self, recorded: Any, ours: Any) -> None:
        """Map recorded ids and `next` cursors to the emulator's, walking both bodies in step.
        The first answer that shows an id (the one creating it) decides."""
        if isinstance(recorded, dict) and isinstance(ours, dict):
            if isinstance(recorded.get("next"), str) and isinstance(ours.get("next"), str):
                self.cursors[recorded["next"]] = ours["next"]
            for key in recorded.keys() & ours.keys():
                self.learn(recorded[key], ours[key])
        elif isinstance(recorded, list) and isinstance(ours, list) and len(recorded) == len(ours):
            for item, our_item in zip(recorded, ours, strict=True):
                self.learn(item, our_item)
        elif isinstance(recorded, str) and isinstance(ours, str) and ID.fullmatch(recorded):
            self.ids.setdefault(recorded, ours)

    def follow_walk(self, path: str, recorded: dict[str, Any], ours: dict[str, Any]) -> None:
        """A checkpoint page: same facts outside the page's items; the items are checked
        across the whole walk (see check_walks)."""
        collection, recorded_items = page_items(recorded)
        _, our_items = page_items(ours)
        outside = {key: value for key, value in recorded.items() if key != collection}
        assert_same_facts(outside, ours)
        walk = self.walks.setdefault(path, Walk())
        walk.recorded += [item_id(item) for item in recorded_items]
        walk.ours += [item_id(item) for item in our_items]

    def check_walks(self) -> None:
        for path, walk in self.walks.items():
            expected = sorted(self.ids.get(i, i) for i in walk.recorded)
            expect(
                sorted(walk.ours) == expected,
                f"the checkpoint walk over {path} listed {sorted(walk.ours)}; "
                f"the recorded walk listed (in the emulator's ids) {expected}",
            )


def token_request_body(recorded: str) -> str:
    """The recorded token request, with the emulator's demo client instead of the redacted one."""
    ours = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET, "audience": AUDIENCE}
    fields = parse_qsl(recorded, keep_blank_values=True)
    return urlencode([(key, ours.get(key, value)) for key, value in fields])


def replay_one(replay: Replay, exchange: Exchange) -> str | None:
    """Send one recorded request and check the answer; what went wrong, if anything."""
    response: requests.Response | None = None
    try:
        response = replay.send(exchange)
        replay.check(exchange, response)
    except AssertionError as exc:
        answer = "" if response is None else f"\nthe emulator answered: {response.text[:500]}"
        return f"{exc}{answer}"
    return None


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPLAYED)
def test_emulator_answers_like_the_recording(
    name: str, emulator: ControlClient, emulator_url: str
) -> None:
    emulator.reset(seed="empty")
    replay = Replay(emulator_url, emulator.mint_token(DEMO_CLIENT_ID))
    exchanges = load_cassette(name)
    assert exchanges, f"{name} has no interactions"
    for exchange in exchanges:
        problem = replay_one(replay, exchange)
        if problem is not None:
            pytest.fail(f"{name}, {exchange}: {problem}", pytrace=False)
    replay.check_walks()


def test_every_recording_is_accounted_for() -> None:
    """Each cassette of the go-auth0 set (the README.md index) is replayed, or deliberately
    skipped or left out with a reason."""
    on_disk = set(cassette_names())
    index = (RECORDINGS / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^### (\S+)\.yaml$", index, flags=re.MULTILINE))
    assert listed, "the README.md index lists no cassette"
    assert on_disk <= listed, f"cassettes not from the go-auth0 set: {sorted(on_disk - listed)}"
    assert listed - on_disk == set(NOT_COPIED), "NOT_COPIED must name exactly the missing ones"
    assert set(SKIPPED) <= on_disk, f"SKIPPED names unknown cassettes: {set(SKIPPED) - on_disk}"
    reasons = {**NOT_COPIED, **SKIPPED}
    assert all(reason.strip() for reason in reasons.values()), "every exclusion needs a reason"
    assert set(REPLAYED) == on_disk - set(SKIPPED)


def test_shape_mismatches_name_the_path() -> None:
    recorded = {"members": [{"user_id": "auth0|1", "roles": [{"id": "rol_1", "name": "a"}]}]}
    ours = {"members": [{"user_id": "auth0|2", "roles": [{"id": "rol_2"}]}]}
    with pytest.raises(AssertionError, match=r"^\$\.members\[0\]\.roles\[0\]: keys differ"):
        assert_same_shape(recorded, ours)
    with pytest.raises(AssertionError, match=r"^\$\.total: the recording has number 1, .* null"):
        assert_same_shape({"total": 1}, {"total": None})
    with pytest.raises(AssertionError, match=r"^\$\.roles: the recording has 1 items"):
        assert_same_shape({"roles": [{}]}, {"roles": []})


def test_facts_compare_names_and_id_kinds_not_generated_values() -> None:
    assert_same_facts(
        {"id": "org_abc", "name": "acme", "created_at": "2023-01-01"},
        {"id": "org_xyz", "name": "acme", "created_at": "2026-05-05"},
    )
    with pytest.raises(AssertionError, match=r"^\$\.name: "):
        assert_same_facts({"id": "org_abc", "name": "acme"}, {"id": "org_abc", "name": "acme2"})
    with pytest.raises(AssertionError, match=r"^\$\.id: the recording has the id org_abc"):
        assert_same_facts({"id": "org_abc"}, {"id": "rol_abc"})
