"""The benchmark commands still run: each, small, on a scratch database of its own.

They are not timed here (figures come from `manage.py bench_*` on the scale data, see
docs/architecture.md); this catches a bench broken by a change to what it drives, as a
renamed module switch once broke bench_conversations without any test noticing.
bench_listing also checks that the list and the hand-written SQL find the same customers.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL,
    reason="the benchmarks measure PostgreSQL and Redis: this runs in the PostgreSQL pass",
)


@pytest.fixture(scope="module")
def bench_env(tmp_path_factory):
    server = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(server._replace(scheme="postgresql", path="/postgres"))
    name = f"atelier_bench_smoke_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": urlunsplit(server._replace(path=f"/{name}")),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": name,
        "VAR_DIR": str(tmp_path_factory.mktemp("bench-var")),
    })
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--customers", "300", "--seed", "5")
    yield env
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600)
    said = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{said}"
    return result.stdout


@pytest.mark.parametrize("command", [
    ["bench_listing", "--runs", "2"],
    ["bench_today", "--runs", "2"],
    ["bench_carts", "--runs", "3", "--products", "300", "--carts", "200"],
    ["bench_conversations", "--customers", "200", "--requests", "100", "--thread-messages", "50",
     "--runs", "2", "--workers", "1"],
], ids=lambda command: command[0])
def test_the_benchmark_runs(bench_env, command):
    output = manage(bench_env, *command)

    assert "goal" in output or "p95" in output, output[-2000:]


def test_the_mixed_load_runs_and_loses_nothing(bench_env):
    """bench_mixed, small: gunicorn, two workers, the Twilio fake and locust start and stop; figures
    that do not depend on the machine's speed hold (nothing lost or sent twice, carts expired once)."""
    output = manage(bench_env, "bench_mixed", "--minutes", "0.5", "--associates", "3",
                    "--webhooks-per-second", "10", "--outreach", "200", "--json")
    result = json.loads(output.strip().splitlines()[-1])

    names = {row["name"] for row in result["endpoints"]}
    assert {"/customers/", "/webhooks/twilio/messages/", "/webhooks/twilio/status/"} <= names, names
    outreach, events, carts = result["outreach"], result["events"], result["carts"]
    assert outreach["messages"] == 200 and outreach["lost"] == 0, outreach
    assert outreach["duplicated"] == 0, outreach
    assert events["inbound_lost"] == 0 and events["status_lost"] == 0, events
    assert events["inbound_duplicated"] == 0, events
    assert carts["expired"] == carts["made"] and carts["expired_early"] == 0, carts
