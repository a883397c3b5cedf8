"""``credstack mcp`` as a desktop agent starts it: a subprocess speaking MCP on its standard input and
output, driven by the SDK's stdio client, over a real migrated home."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests import migrated

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from credstack.achievements.actions import create_achievement
from credstack.api.actions import create_api_key
from credstack.organizations.actions import create_organization
org = create_organization(slug="acme", name="Acme Academy", url="https://acme.example")
create_achievement(organization=org, slug="data", name="Data Basics", description="d", criteria_narrative="c")
print(json.dumps({"key": create_api_key(org, name="desktop agent", scope="issue").secret}))
"""


def _env(home: Path, key: str = "") -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
        "CREDSTACK_HOME": str(home),
        "CREDSTACK_BASE_URL": "http://127.0.0.1:9",
        "CREDSTACK_API_KEY": key,
    }


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, str]:
    """A migrated home with an organization, an achievement and an API key of scope ``issue``."""
    home = tmp_path_factory.mktemp("mcp") / "home"
    home.mkdir()
    migrated.copy_into(home)  # SETUP's migrate finds it done (tests/migrated.py)
    done = subprocess.run(
        [sys.executable, "-c", SETUP], env=_env(home), capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return home, json.loads(done.stdout.strip().splitlines()[-1])["key"]


def test_an_agent_issues_and_finds_a_credential_over_stdio(prepared):
    home, key = prepared
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "credstack.cli", "mcp"], env=_env(home, key)
    )

    async def go():
        async with Client(server, read_timeout_seconds=120) as client:
            tools = [t.name for t in (await client.list_tools()).tools]
            issued = await client.call_tool(
                "issue_credential",
                {
                    "achievement": "data",
                    "recipient_name": "Ngozi Adichie",
                    "recipient_email": "ngozi@example.org",
                },
            )
            found = await client.call_tool("search_credentials", {"query": "ngozi@example.org"})
            return tools, issued, found

    with ThreadPoolExecutor(1) as pool:  # a browser test may have left an event loop on this thread
        tools, issued, found = pool.submit(asyncio.run, go()).result()
    assert "issue_credential" in tools and "revoke_credential" in tools
    assert not issued.is_error, issued.content
    credential = issued.structured_content or json.loads(issued.content[0].text)
    [hit] = (found.structured_content or {}).get("result") or json.loads(found.content[0].text)
    assert hit["id"] == credential["id"] and hit["recipient"]["name"] == "Ngozi Adichie"


def test_without_a_valid_key_it_says_what_to_do(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    migrated.copy_into(home)  # SETUP's migrate finds it done (tests/migrated.py): no migration of its own
    subprocess.run(
        [sys.executable, "-c", SETUP], env=_env(home), capture_output=True, timeout=180, check=True
    )
    missing = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "mcp"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "set CREDSTACK_API_KEY" in missing.stderr and missing.stdout == ""
    wrong = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "mcp"],
        env=_env(home, "csk_nope_nope"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "not a valid API key" in wrong.stderr
