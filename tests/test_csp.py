"""Content-Security-Policy: every page says where scripts, styles and pictures may come from
(adminportal itself; pictures also from the avatar hosts), templates hold nothing the policy
refuses (inline styles, scripts or handlers, htmx filters that need eval), and a member's
picture from any other host is shown as their initial without being requested."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from orgs.templatetags.avatars import avatar_allowed
from tests.seeds import ORG_IDS, USER_IDS, small_seed

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_AVATAR_HOSTS = [
    "https://s.gravatar.com",
    "https://secure.gravatar.com",
    "https://cdn.auth0.com",
]
TRACKER = "https://tracker.example.net/pixel.png"


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_strict(response) -> None:
    found = directives(response)
    assert found.get("default-src") == "'none'", found
    assert found.get("script-src") == "'self'", found
    assert found.get("style-src") == "'self'", found
    assert found.get("connect-src") == "'self'", found
    assert found.get("img-src") == "'self' " + " ".join(DEFAULT_AVATAR_HOSTS), found
    assert found.get("frame-ancestors") == "'none'", found
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_signed_in_pages_htmx_partials_and_the_sign_in_page_carry_a_strict_policy(
    auth0, client, anonymous_client
):
    acme = reverse("orgs:organization_detail", kwargs={"org_id": ORG_IDS["acme"]})
    for response in (
        anonymous_client.get("/login/"),
        client.get("/organizations/"),
        client.get(acme),
        client.get(acme, headers={"HX-Request": "true"}),
        client.get("/activity/"),
        client.get("/staff/"),
    ):
        assert response.status_code == 200, response
        assert_strict(response)


@pytest.mark.parametrize(
    ("picture", "shown"),
    [
        ("https://cdn.auth0.com/avatars/an.png", True),
        ("https://s.gravatar.com/avatar/abc?s=480&d=https%3A%2F%2Fcdn.auth0.com%2Fa.png", True),
        ("https://secure.gravatar.com/avatar/abc", True),
        ("https://CDN.Auth0.com/avatars/an.png", True),
        (TRACKER, False),
        ("http://cdn.auth0.com/avatars/an.png", False),
        ("https://cdn.auth0.com.tracker.example.net/a.png", False),
        ("https://tracker.example.net/?https://cdn.auth0.com/", False),
        ("https://cdn.auth0.com@tracker.example.net/a.png", False),
        ("https://cdn.auth0.com\\@tracker.example.net/a.png", False),
        ("https://tracker.example.net#@cdn.auth0.com/a.png", False),
        ("https://cdn.auth0.com:8443/a.png", False),
        ("https://[::1/a.png", False),
        ("//cdn.auth0.com/a.png", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
    ],
)
def test_only_pictures_on_the_avatar_hosts_are_shown(picture, shown):
    assert avatar_allowed(picture) is shown


def test_avatar_hosts_may_name_subdomains(settings):
    settings.AVATAR_HOSTS = ["https://*.googleusercontent.com"]
    assert avatar_allowed("https://lh3.googleusercontent.com/a/x=s96-c")
    assert not avatar_allowed("https://googleusercontent.com/a")
    assert not avatar_allowed("https://evilgoogleusercontent.com/a")
    assert not avatar_allowed("https://cdn.auth0.com/avatars/an.png")


def test_a_picture_elsewhere_is_an_initial_and_never_an_img():
    shown = render_to_string("includes/avatar.html", {"picture": TRACKER, "label": "mallory"})
    assert "<img" not in shown and TRACKER not in shown
    assert re.search(r'<span class="avatar avatar-initials"[^>]*>M</span>', shown)
    allowed = "https://cdn.auth0.com/avatars/ma.png"
    shown = render_to_string("includes/avatar.html", {"picture": allowed, "label": "mallory"})
    assert f'<img class="avatar" src="{allowed}"' in shown


def test_the_members_page_never_links_a_planted_picture(auth0, client):
    seed = small_seed()
    for user in seed["users"]:
        if user["user_id"] == USER_IDS["mallory"]:
            user["picture"] = TRACKER
    auth0.load_seed(seed)
    response = client.get(reverse("orgs:organization_detail", kwargs={"org_id": ORG_IDS["acme"]}))
    page = response.content.decode()
    assert "tracker.example.net" not in page
    assert page.count('<img class="avatar"') == 2  # Ana and Ben, from cdn.auth0.com


# What a policy without 'unsafe-inline' and 'unsafe-eval' refuses, written into a template.
REFUSED = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on (eval)": re.compile(r"\shx-on", re.I),
    "an htmx trigger filter (eval)": re.compile(r"hx-trigger\s*=\s*\"[^\"]*\[", re.I),
    "js:/javascript: values (eval)": re.compile(
        r"(hx-vals|hx-vars|hx-headers)\s*=\s*['\"]\s*(js|javascript):", re.I
    ),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_templates_hold_nothing_the_policy_refuses():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for what, pattern in REFUSED.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_htmx_may_not_eval_nor_add_its_inline_styles():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css


def avatar_hosts_under(value: str) -> subprocess.CompletedProcess[str]:
    code = "import json, adminportal.settings as s; print(json.dumps(s.AVATAR_HOSTS))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ADMINPORTAL_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "tests",  # no .env file there
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SECRET_KEY": "k",
            "ADMINPORTAL_AVATAR_HOSTS": value,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_avatar_hosts_come_from_the_environment():
    result = avatar_hosts_under(
        "https://avatars.githubusercontent.com/, https://*.googleusercontent.com"
    )
    assert json.loads(result.stdout) == [
        "https://avatars.githubusercontent.com",
        "https://*.googleusercontent.com",
    ]
    refused = avatar_hosts_under("http://tracker.example.net")
    assert refused.returncode != 0
    assert "ADMINPORTAL_AVATAR_HOSTS" in refused.stderr
