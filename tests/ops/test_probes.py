"""/healthz and /readyz for load balancers: public, quick, nothing sensitive in them."""

import socket

import pytest
from django.db import OperationalError
from django.urls import reverse

from ops import probes

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ops:healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_when_the_database_and_redis_answer(client, settings):
    response = client.get(reverse("ops:readyz"))

    assert response.status_code == 200
    expected = {"database": "ok", **({"redis": "ok"} if settings.REDIS_URL else {})}
    assert response.json() == {"status": "ok", "checks": expected}


def test_readyz_is_503_naming_redis_when_redis_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get(reverse("ops:readyz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
    assert "127.0.0.1" not in response.content.decode()  # no address, no error text


def test_readyz_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    def refused(self, sql, params=None):
        raise OperationalError("connection refused at 10.0.0.7")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refused)

    response = client.get(reverse("ops:readyz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failed"
    assert "10.0.0.7" not in response.content.decode()


def test_probes_refuse_writes(client):
    assert client.post(reverse("ops:healthz")).status_code == 405
    assert client.post(reverse("ops:readyz")).status_code == 405


def test_redis_probe_says_none_without_redis(settings):
    settings.REDIS_URL = ""
    assert probes.redis_ok() is None
