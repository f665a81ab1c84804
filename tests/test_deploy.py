"""Production is a tested path: the README's deploy commands, run as written, on loopback.

The commands come from the README's "Deploy" section and the process commands from
the `Procfile`, so the documentation cannot drift from what CI proves.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)

on_postgres_and_redis = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL,
    reason="production runs on PostgreSQL and Redis: this runs in the PostgreSQL pass",
)


def deploy_commands() -> list[str]:
    section = (ROOT / "README.md").read_text().split("\n## Deploy", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def production_env(**overrides) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "PYTEST_", "CELERY_")) and key not in {
               "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "LOCAL_BASE_URL"}}
    env.update({
        "PATH": f"{BIN}:{env.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/atelier_unused",
        "REDIS_URL": "redis://127.0.0.1:6379/2",
        "SECRET_KEY": get_random_secret_key(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": "https://atelier.example.com",
        "CARTS_PAYMENT_PROVIDER": "adyen",
    })
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_readme_and_procfile_state_the_same_process_commands():
    commands = deploy_commands()
    for name in ("web", "worker", "background", "beat"):
        assert procfile()[name] in commands, f"README's deploy section lacks the Procfile's {name}"
    release = procfile()["release"].split(" && ")
    assert all(step in commands for step in release)


def test_readme_exports_every_variable_production_requires():
    exported = {line.split()[1].split("=")[0] for line in deploy_commands() if line.startswith("export ")}
    assert {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS",
            "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "CARTS_PAYMENT_PROVIDER"} <= exported


@pytest.mark.parametrize(("change", "says"), [
    ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
    ({"SECRET_KEY": "insecure-dev-key-change-me-0123456789abcdefghijklmnop"}, "SECRET_KEY must be set"),
    ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS must hold"),
    ({"FIELD_ENCRYPTION_KEYS": " "}, "FIELD_ENCRYPTION_KEYS must hold"),
    ({"DATABASE_URL": None}, "DATABASE_URL must point at PostgreSQL"),
    ({"DATABASE_URL": "sqlite:////tmp/atelier.sqlite3"}, "DATABASE_URL must point at PostgreSQL"),
    ({"REDIS_URL": None}, "REDIS_URL must point at Redis"),
    ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL must be"),
    ({"CARTS_PAYMENT_PROVIDER": "demo"}, "demo payment provider"),
    ({"MESSAGING_SMS_PROVIDER": "demo"}, "demo messaging provider"),
], ids=["no-secret", "default-secret", "no-keys", "empty-keys", "no-database", "sqlite", "no-redis",
        "no-public-url", "demo-payments", "demo-texts"])
def test_production_settings_refuse_to_start_misconfigured(change, says):
    result = manage(production_env(**change), "check", timeout=60)

    assert result.returncode != 0
    assert says in result.stderr, result.stderr[-3000:]


def test_production_takes_secrets_as_written():
    """django-environ reads "$NAME" as a reference to another variable; a random key may start with "$"."""
    secret = "$" + get_random_secret_key()[1:]
    password = "$ecret"
    env = production_env(SECRET_KEY=secret, EMAIL_HOST_PASSWORD=password)
    shown = ("from django.conf import settings as s; "
             "print(s.SECRET_KEY == {!r}, s.EMAIL_HOST_PASSWORD == {!r})")
    result = manage(env, "shell", "--no-imports", "-c", shown.format(secret, password), timeout=60)

    assert result.stdout.split() == ["True", "True"], result.stderr[-3000:]


def test_collectstatic_is_a_build_step_that_needs_no_secrets_or_services(tmp_path):
    """An image build or a buildpack runs collectstatic before any database, Redis or secret exists."""
    kept = {"PATH", "HOME", "DJANGO_SETTINGS_MODULE"}
    env = {key: value for key, value in production_env().items() if key in kept}
    env["VAR_DIR"] = str(tmp_path)
    built = manage(env, "collectstatic", "--noinput", timeout=300)

    assert built.returncode == 0, built.stderr[-3000:]
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()  # the manifest the web process needs
    refused = manage(env, "check", timeout=60)
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr


@on_postgres_and_redis
def test_a_database_pool_serves_threads_beyond_its_size():
    """DATABASE_POOL=1: Django's psycopg pool; eight threads share two connections."""
    script = (
        "import threading\n"
        "from django.db import connection, connections\n"
        "done = []\n"
        "def work():\n"
        "    for _ in range(5):\n"
        "        with connection.cursor() as cursor:\n"
        "            cursor.execute('SELECT pg_sleep(0.01)')\n"
        "            done.append(1)\n"
        "    connections.close_all()\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "connection.ensure_connection()\n"
        "print(type(connection.pool).__name__, len(done), connection.pool.max_size)\n"
    )
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = production_env(DATABASE_URL=f"{server}/postgres", DATABASE_POOL="1",
                         DATABASE_POOL_MAX_SIZE="2", DATABASE_DISABLE_SERVER_SIDE_CURSORS="1")
    result = manage(env, "shell", "--no-imports", "-c", script, timeout=60)

    assert result.stdout.split() == ["ConnectionPool", "40", "2"], result.stderr[-3000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_line(line: str, env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(line, shell=True, cwd=ROOT, env=env, start_new_session=True,  # noqa: S602
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output


@pytest.fixture
def scratch_database():
    import psycopg

    name = f"atelier_deploy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Proxy:
    """What the TLS-terminating proxy adds; cookies kept by hand (they are Secure, we talk HTTP)."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.public = base.replace("http://", "https://")

    def request(self, method: str, path: str, headers=(), **kwargs) -> requests.Response:
        headers = {**dict(headers), "X-Forwarded-Proto": "https", "Referer": self.public + path,
                   "Origin": self.public, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = requests.request(method, self.base + path, headers=headers, allow_redirects=False,
                                    timeout=20, **kwargs)
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response


@on_postgres_and_redis
def test_the_readme_deploy_runs_and_gunicorn_serves_pages_and_static_files(scratch_database, tmp_path):
    port = free_port()
    env = production_env(DATABASE_URL=scratch_database, VAR_DIR=str(tmp_path), PORT=str(port),
                         WEB_CONCURRENCY="2", DJANGO_SUPERUSER_PASSWORD="deploy-pass-9f3k")
    commands = deploy_commands()

    # The release steps, as written.
    for line in commands:
        if not line.startswith("python manage.py"):
            continue
        if "createsuperuser" in line:
            line += " --noinput --username admin --email admin@example.com"
        result = subprocess.run(line, shell=True, cwd=ROOT, env=env, capture_output=True,  # noqa: S602
                                text=True, timeout=600)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        if "check --deploy" in line:
            assert "no issues" in result.stdout
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()  # the manifest

    # Many processes share the database through a psycopg pool each, PgBouncer-safe.
    env = {**env, "DATABASE_POOL": "1", "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1"}
    web = run_line(procfile()["web"], env)
    worker = run_line(procfile()["worker"], {**env, "WORKER_CONCURRENCY": "1"})
    background = run_line(procfile()["background"], {**env, "BACKGROUND_CONCURRENCY": "1"})
    try:
        proxy = Proxy(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                login = proxy.request("GET", "/login/")
                break
            except requests.ConnectionError:
                assert web.poll() is None and time.monotonic() < deadline, stop(web)
                time.sleep(0.3)

        # The login page, its hashed static files with a far-future lifetime, compressed.
        assert login.status_code == 200
        assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in login.headers["Content-Security-Policy"]
        assert login.headers["Referrer-Policy"] == "same-origin"
        assert "camera=(self)" in login.headers["Permissions-Policy"]
        assert login.headers["X-Frame-Options"] == "DENY"
        css = re.search(r'href="(/static/css/atelier\.[0-9a-f]{12}\.css)"', login.text).group(1)
        static = proxy.request("GET", css, headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200
        assert "max-age=315360000" in static.headers["Cache-Control"]
        assert static.headers.get("Content-Encoding") == "gzip"
        # Plain HTTP (no proxy header) goes to HTTPS.
        plain = requests.get(f"http://127.0.0.1:{port}/login/", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

        # Signing in, a console page, the admin.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        signed_in = proxy.request("POST", "/login/", data={"csrfmiddlewaretoken": token, "username": "admin",
                                                           "password": "deploy-pass-9f3k"})
        assert signed_in.status_code == 302, signed_in.text[:2000]
        today = proxy.request("GET", "/")
        assert today.status_code == 200 and "Today" in today.text
        customers = proxy.request("GET", "/customers/")
        assert customers.status_code == 200
        admin = proxy.request("GET", "/admin/")
        assert admin.status_code == 200 and "Company configuration" in admin.text
        missing = proxy.request("GET", "/no-such-page/")
        assert missing.status_code == 404
    finally:
        web_log = stop(web)
        worker_log = stop(worker)
        background_log = stop(background)
    assert "Booting worker" in web_log
    assert "ready." in worker_log, worker_log[-3000:]
    assert "ready." in background_log, background_log[-3000:]
    # Between them, the two workers take every queue (config/celery.py), each exactly once.
    from catalog.background import queue_names

    taken = [re.findall(r"\.> (\S+)\s+exchange=", log) for log in (worker_log, background_log)]
    assert sorted(taken[0] + taken[1]) == sorted(queue_names("atelier")), taken
    for log in (web_log, worker_log, background_log):
        assert not re.search(r"\bERROR\b|Traceback|CRITICAL", log), log[-3000:]
