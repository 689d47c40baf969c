"""The dashboard in Japanese (issue 11, item 8): English by default, the browser's
Accept-Language otherwise, and each staff member's own choice above both; a complete Japanese
catalogue (a test fails on any message id it does not translate); the pages in Japanese."""

from __future__ import annotations

import gettext as gettext_module
import html
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from orgs.models import AuditEvent, StaffAccess
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, hx_messages, one_message, text

LIST = "/organizations/"


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request activates its language for the thread: the tests after these must not go on
    in Japanese."""
    yield
    translation.deactivate()


def lang_of(response) -> str:
    return text(response).split('<html lang="', 1)[1].split('"', 1)[0]


def test_english_is_the_default(auth0, client):
    response = client.get(LIST)
    assert lang_of(response) == "en"
    assert response["Content-Language"] == "en"


def test_the_browsers_language_is_followed(auth0, client):
    response = client.get(LIST, headers={"accept-language": "ja,en;q=0.5"})
    assert lang_of(response) == "ja"
    assert "Accept-Language" in response["Vary"]


def test_a_staff_members_choice_wins_over_their_browser(auth0, client, admin_staff):
    answer = client.post("/language/", {"language": "ja", "next": "/activity/"})

    assert answer.status_code == 302 and answer["Location"] == "/activity/"
    assert StaffAccess.objects.get(user=admin_staff).language == "ja"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # another browser: only the choice counts
    assert lang_of(client.get(LIST, headers={"accept-language": "en"})) == "ja"

    client.post("/language/", {"language": "", "next": LIST})  # back to the browser's
    assert StaffAccess.objects.get(user=admin_staff).language == ""
    assert lang_of(client.get(LIST, headers={"accept-language": "en"})) == "en"


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"language": "xx", "next": "/activity/"}, "/activity/"),
        ({"language": "ja", "next": "https://evil.example/"}, LIST),
        ({"language": "ja", "next": "//evil.example/"}, LIST),
    ],
)
def test_bad_choices_change_nothing_and_never_leave_the_site(
    auth0, client, admin_staff, data, location
):
    answer = client.post("/language/", data)
    assert answer.status_code == 302 and answer["Location"] == location
    expected = "ja" if data["language"] == "ja" else ""
    assert StaffAccess.objects.get(user=admin_staff).language == expected


def test_choosing_a_language_is_a_post_with_csrf(auth0, admin_staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_staff)
    assert strict.get("/language/").status_code == 405
    assert strict.post("/language/", {"language": "ja"}).status_code == 403
    assert StaffAccess.objects.get(user=admin_staff).language == ""


def test_the_header_offers_every_language(auth0, client):
    page = text(client.get(LIST))
    assert '<option value="ja" lang="ja">日本語</option>' in page
    assert '<option value="en" lang="en" selected>English</option>' in page


# --- the Japanese catalogue is complete -----------------------------------------------------------

LOCALE = Path(settings.BASE_DIR) / "locale"
DOMAINS = ("django", "djangojs")
SOURCES = ("orgs", "templates", "static/js", "adminportal")
"""What makemessages reads (orgs' makemessages leaves out tests, bench, the emulator, …)."""
NEEDS_GETTEXT = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> dict[str, Path]:
    """The committed ja catalogues merged, by makemessages, with every message id the sources
    hold now: in a copy of the sources, so the committed catalogues stay as they are."""
    work = tmp_path_factory.mktemp("messages")
    for source in SOURCES:
        shutil.copytree(Path(settings.BASE_DIR) / source, work / source)
    shutil.copytree(LOCALE, work / "locale")
    here = os.getcwd()
    os.chdir(work)
    try:
        with override_settings(LOCALE_PATHS=[work / "locale"]):
            for domain in DOMAINS:
                call_command("makemessages", locale=["ja"], domain=domain, verbosity=0)
    finally:
        os.chdir(here)
    return {domain: work / "locale" / "ja" / "LC_MESSAGES" / f"{domain}.po" for domain in DOMAINS}


def entries(po: Path, *only: str) -> list[str]:
    """The message ids (msgctxt|msgid) msgattrib keeps with `only` (e.g. --untranslated)."""
    kept = subprocess.run(
        ["msgattrib", "--no-wrap", *only, str(po)], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"$', kept, re.M)
    return [f"{context}|{msgid}" if context else msgid for context, msgid in found if msgid]


@NEEDS_GETTEXT
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_id_of_the_sources_has_a_japanese_translation(merged, domain):
    """Fails on any text wrapped for translation (Python, templates, static/js) that the
    committed locale/ja catalogue does not translate, or only fuzzily. To fix:
    `manage.py makemessages -l ja` (and `-d djangojs`), translate, `manage.py compilemessages`."""
    po = merged[domain]
    assert len(entries(po)) > (300 if domain == "django" else 3)
    assert entries(po, "--untranslated", "--no-obsolete") == []
    assert entries(po, "--only-fuzzy", "--no-obsolete") == []
    assert entries(po, "--only-obsolete") == [], "message ids the sources no longer hold"


def catalogue(mo: Path) -> dict[object, str]:
    with mo.open("rb") as file:
        return gettext_module.GNUTranslations(file)._catalog  # type: ignore[attr-defined]


@NEEDS_GETTEXT
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_files_are_compiled_from_the_po_files(tmp_path, domain):
    po = LOCALE / "ja" / "LC_MESSAGES" / f"{domain}.po"
    fresh = tmp_path / f"{domain}.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    assert catalogue(po.with_suffix(".mo")) == catalogue(fresh), "run manage.py compilemessages"


# --- pages in Japanese, for a staff member who chose it ------------------------------------------

ACME = ORG_IDS["acme"]
ANA, BEN = USER_IDS["ana"], USER_IDS["ben"]
MEMBERS = f"/organizations/{ACME}/"
BEN_PAGE = f"{MEMBERS}members/{BEN}/"
REMOVE_ROLE = f"{BEN_PAGE}roles/remove/"


@pytest.fixture
def japanese(auth0, client, admin_staff):
    """The Admin's client, the Admin having chosen Japanese (their browser asks for English)."""
    StaffAccess.objects.filter(user=admin_staff).update(language="ja")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def words(response) -> str:
    """What a page says: its text and attribute values (aria-label, placeholder, title)."""
    return html.unescape(re.sub(r"\s+", " ", text(response)))


def says_in_japanese(page: str, *japanese: str, not_english: tuple[str, ...] = ()) -> None:
    for words_ in japanese:
        assert words_ in page, words_
    for words_ in not_english:
        assert words_ not in page, words_


COMMON_ENGLISH = ("Skip to content", "Sign out", ">Organizations<", ">Activity<", "Previous")


def test_the_organization_list_in_japanese(japanese):
    page = words(japanese.get("/organizations/"))
    assert '<html lang="ja">' in page
    says_in_japanese(
        page,
        "<h1>組織</h1>",
        "本文へスキップ",
        "サインアウト",
        'placeholder="名前または表示名"',
        "名前（A→Z）",
        "1 / 1ページ · 3個の組織",
        '<option value="en" lang="en">English</option>',
        '<option value="ja" lang="ja" selected>日本語</option>',
        not_english=(
            *COMMON_ENGLISH,
            "Search",
            "Sort by",
            "Per page",
            "Page 1 of 1",
            "Display name",
        ),
    )


def test_the_members_page_in_japanese(japanese):
    page = words(japanese.get(MEMBERS))
    says_in_japanese(
        page,
        "メンバーを検索",
        "選択したメンバーを削除…",
        'aria-label="Ben Okaforのその他のオプション"',
        "ロールを管理",
        "テナント全体のロール",
        ">メンバーを削除<",
        "組織のロール",
        not_english=(*COMMON_ENGLISH, "Find member", "Remove member", "More options", "E-mail"),
    )


def test_a_member_page_and_its_assign_form_in_japanese(japanese):
    page = words(japanese.get(BEN_PAGE))
    says_in_japanese(
        page,
        "<title>Acme CorporationのBen Okafor · adminportal</title>",
        "Acme Corporationでのロール",
        'aria-label="ロールbilling-adminを削除"',
        '<h2 id="assign-title">ロールを割り当てる</h2>',
        "Ben Okaforがまだ持っていないロール",
        "またはロール名を入力",
        "組織にロールを追加",
        not_english=(*COMMON_ENGLISH, "Assign role", "Add role(s)", "Roles in", "Remove role"),
    )

    answer = japanese.post(BEN_PAGE, {"names": "no-such-role"})  # the form says why, in Japanese
    assert "「no-such-role」という名前の割り当て可能なロールはありません" in words(answer)

    japanese.post(BEN_PAGE, {"roles": [ROLE_IDS["viewer"]]}, headers=HX)
    response = japanese.post(BEN_PAGE, {"roles": [ROLE_IDS["org-admin"]]}, headers=HX)
    assert one_message(hx_messages(response)) == (
        "success",
        "Acme CorporationのBen Okaforに1個のロールを追加しました：org-admin。",
    )


def test_a_role_removal_confirmed_in_japanese(japanese):
    dialog = words(japanese.get(REMOVE_ROLE, {"role": ROLE_IDS["billing-admin"]}, headers=HX))
    says_in_japanese(
        dialog,
        '<h2 id="dialog-title">ロールを削除</h2>',
        "Acme CorporationのBen Okaforからロールbilling-adminを削除しますか？",
        "Ben Okaforは引き続きAcme Corporationのメンバーで、そこでのほかのロールもそのままです。",
        "テナント全体のロールには影響しません。",
        "理由（任意）",
        'placeholder="監査証跡用（チケットIDなど）"',
        ">キャンセル</a>",
        'data-closed-label="閉じる"',
        'data-retry-label="再試行"',
        not_english=("Cancel", "Reason", "Remove role", "Tenant-wide roles"),
    )

    response = japanese.post(REMOVE_ROLE, {"role": ROLE_IDS["billing-admin"]}, headers=HX)

    assert response.status_code == 204
    assert one_message(hx_messages(response)) == (
        "success",
        "Acme CorporationのBen Okaforからロールbilling-adminを削除しました。",
    )


def test_a_rate_limit_and_a_guardrail_refusal_are_said_in_japanese(japanese, auth0):
    url = f"{MEMBERS}members/{ANA}/roles/remove/"
    refused = japanese.post(url, {"role": ROLE_IDS["org-owner"]}, headers=HX)
    assert refused.status_code == 403
    assert one_message(hx_messages(refused)) == (
        "warning",
        "Acme CorporationのAna Leeからロールorg-ownerを削除することができませんでした："
        "この操作を行うと、保護されたロールであるorg-ownerを持つメンバーが組織にいなくなります。"
        "先にほかの人にこのロールを割り当ててください。 何も変更されていません。",
    )

    reset = str(int(time.time()) + 30)
    auth0.add_fault(
        method="DELETE", path=r"/roles$", status=429, headers={"x-ratelimit-reset": reset}
    )
    limited = japanese.post(REMOVE_ROLE, {"role": ROLE_IDS["billing-admin"]}, headers=HX)
    assert limited.status_code == 429
    level, message = one_message(hx_messages(limited))
    assert level == "error"
    assert message.startswith(
        "Acme CorporationのBen Okaforからロールbilling-adminを削除することができませんでした："
        "Auth0がadminportalからの呼び出し頻度を制限しています。何も変更されていません。"
    )
    assert re.search(r"\d+秒後にもう一度お試しください。", message), message
    assert "（Auth0のログ用の参照ID：" in message


def test_the_activity_page_in_japanese(japanese):
    japanese.post(REMOVE_ROLE, {"role": ROLE_IDS["billing-admin"]}, headers=HX)
    japanese.post(f"{MEMBERS}members/{ANA}/roles/remove/", {"role": ROLE_IDS["org-owner"]})

    page = words(japanese.get("/activity/"))

    says_in_japanese(
        page,
        "<h1>アクティビティ</h1>",
        ">日時</th>",
        ">対象</th>",
        ">結果</th>",
        'data-label="結果"',
        "メンバーのロールを削除",
        ">成功</span>",
        ">拒否</span>",
        "すべての操作",
        "CSVをエクスポート",
        "1 / 1ページ · 2件のイベント",
        not_english=(*COMMON_ENGLISH, "Success", "Refused", "Remove member roles", "Export CSV"),
    )
    # What the audit trail recorded stays as recorded: the refusal's own words, in English.
    assert "This would leave the organization without anyone holding org-owner" in page
    assert AuditEvent.objects.filter(outcome="refused").get().message.startswith("This would")


def test_english_stays_the_default_with_the_same_words(auth0, client):
    page = words(client.get(MEMBERS))
    assert '<html lang="en">' in page
    says_in_japanese(
        page,
        "Find member",
        "Remove selected members…",
        'aria-label="More options for Ben Okafor"',
        not_english=("メンバー", "組織"),
    )


def test_the_scripts_catalogue_is_served_in_the_readers_language(anonymous_client, japanese):
    """/jsi18n/ (static/js/app.js's words): open to the sign-in page, in the staff member's
    language for them."""
    english = anonymous_client.get("/jsi18n/", headers={"accept-language": "en"})
    assert english.status_code == 200 and english["Content-Type"].startswith("text/javascript")
    assert "adminportal\\u306b\\u63a5\\u7d9a" not in text(english)  # no Japanese for English

    for answer in (
        anonymous_client.get("/jsi18n/", headers={"accept-language": "ja"}),
        japanese.get("/jsi18n/"),
    ):
        found = re.search(r"const newcatalog = (\{.*?\});", text(answer), re.S)
        assert found is not None
        catalogue = json.loads(found.group(1))
        assert catalogue["Dismiss"] == "閉じる"
        said = "adminportal could not be reached. Check your connection and try again."
        assert (
            catalogue[said]
            == "adminportalに接続できませんでした。接続を確認して、もう一度お試しください。"
        )

    page = text(japanese.get("/organizations/"))
    assert '<script src="/jsi18n/" async></script>' in page
