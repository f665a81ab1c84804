"""Heavy reads on a real streaming replica: a second PostgreSQL cluster on this machine.

The replica is made as an operator makes one (Debian's pg_createcluster, pg_basebackup -R,
pg_ctlcluster) once pytest-django has created the test database on the primary, so the
base backup carries it; a "replica" alias then points at it. Data written inside a test's
transaction never reaches a replica, so these tests commit (transaction=True).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from copy import deepcopy
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.test import Client
from django.urls import reverse

from catalog import replica
from catalog.replica import REPLICA, heavy_reads
from clienteling import services
from clienteling.models import Customer
from tests.factories import CustomerFactory, TaskFactory

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
on_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="a streaming replica is PostgreSQL's: this runs in the PostgreSQL pass")
# serialized_rollback keeps the rows data migrations made (role groups ...).
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True,
                                  databases=["default", REPLICA])
TIMEOUT = 180  # seconds; a loaded machine replays slowly, it does not stop
CLUSTER_PREFIX = "atelier_replica_"
LIST = "clienteling:customer_list"


def run(*args: str, timeout: float = 120) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise AssertionError(f"{' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def wait(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if value := condition():
                return value
        except psycopg.OperationalError:
            pass  # not up yet
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {timeout:.0f}s for {what}")
        time.sleep(0.1)


class Cluster:
    """The replica cluster, and plain connections to it and the primary for the test's own
    questions (never Django's, whose queries the tests count)."""

    def __init__(self, version: int, name: str, port: int):
        self.version, self.name, self.port = version, name, port

    @staticmethod
    def primary_params(**extra) -> dict:
        db = connections["default"].settings_dict
        return {"host": db["HOST"] or "127.0.0.1", "port": int(db["PORT"] or 5432), "user": db["USER"],
                "password": db["PASSWORD"] or None, "dbname": db["NAME"], "connect_timeout": 5, **extra}

    def sql(self, query: str, params=None, *, on_primary: bool = False):
        params_ = self.primary_params() if on_primary else self.primary_params(port=self.port)
        with psycopg.connect(**params_, autocommit=True) as conn:
            return conn.execute(query, params).fetchone()[0]

    def ctl(self, action: str):
        run("pg_ctlcluster", "--skip-systemctl-redirect", str(self.version), self.name, action)

    def wait_for_replay(self):
        """Until the replica has replayed everything the primary has written so far."""
        target = self.sql("SELECT pg_current_wal_lsn()::text", on_primary=True)
        wait(lambda: self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]),
             "the replica to replay the primary's writes")

    def pause_replay(self):
        self.sql("SELECT pg_wal_replay_pause()")
        wait(lambda: self.sql("SELECT pg_get_wal_replay_pause_state()") == "paused", "replay to pause")

    def resume_replay(self):
        self.sql("SELECT pg_wal_replay_resume()")
        self.wait_for_replay()


def _unavailable(reason: str):
    # CI must run these: there a missing tool is a failure, not a skip.
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _gone(name: str) -> bool:
    """Whether the run that named a cluster or slot after its process id has ended."""
    match = re.fullmatch(rf"{CLUSTER_PREFIX}(\d+)", name)
    if match is None:
        return False
    try:
        os.kill(int(match[1]), 0)
    except ProcessLookupError:
        return True
    return False


def _drop_slot(params: dict, name: str):
    with psycopg.connect(**params, autocommit=True) as conn:
        def released():  # a stopped replica's sender takes a moment to go
            query = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = %s AND active"
            return conn.execute(query, [name]).fetchone()[0] == 0

        wait(released, f"replication slot {name} to be released")
        conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                     "WHERE slot_name = %s", [name])


def _drop_stale_replicas(params: dict):
    """Replicas, and their slots on the primary, left by a run killed before its teardown
    (a slot left behind would keep the primary's WAL for ever)."""
    for line in run("pg_lsclusters", "-h").splitlines():
        version, name = line.split()[:2]
        if _gone(name):
            run("pg_dropcluster", "--stop", version, name)
    with psycopg.connect(**params, autocommit=True) as conn:
        slots = [row[0] for row in conn.execute("SELECT slot_name FROM pg_replication_slots")]
    for slot in filter(_gone, slots):
        _drop_slot(params, slot)


def _allow_replication_connections(cluster_params: dict):
    """The primary must take replication connections from this machine (stock Debian
    clusters do; a trimmed pg_hba.conf may not): add the line once, then reload."""
    conninfo = " ".join(f"{key}={value}" for key, value in cluster_params.items()
                        if value is not None and key not in {"dbname", "connect_timeout"})

    def allowed():
        return subprocess.run(["psql", f"{conninfo} dbname=postgres replication=true", "-Atc",
                               "IDENTIFY_SYSTEM"], capture_output=True, timeout=30).returncode == 0

    if allowed():
        return
    with psycopg.connect(**cluster_params, autocommit=True) as conn:
        hba_file = Path(conn.execute("SHOW hba_file").fetchone()[0])
        user = cluster_params["user"]
        with hba_file.open("a") as hba:
            hba.write(f"\n# Atelier's replica test (tests/test_read_replica.py)\n"
                      f"host replication {user} 127.0.0.1/32 trust\nhost replication {user} ::1/128 trust\n")
        conn.execute("SELECT pg_reload_conf()")
    wait(allowed, "the primary to accept replication connections")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def replica_cluster(django_db_setup, django_db_blocker):
    """A streaming replica of the primary, made after the test database, once per session
    (a module's tests may reach a parallel worker in pieces). Its alias is inert until a
    test turns the router on."""
    if not ON_POSTGRESQL:
        pytest.skip("a streaming replica is PostgreSQL's")
    if os.geteuid() != 0:
        _unavailable("making a PostgreSQL cluster (pg_createcluster) needs root")
    tools = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters", "psql", "runuser")
    if missing := [tool for tool in tools if not shutil.which(tool)]:
        _unavailable(f"Debian's PostgreSQL cluster tools are missing: {', '.join(missing)}")
    params = Cluster.primary_params()
    if params["host"] not in ("127.0.0.1", "localhost", "::1"):
        _unavailable("the replica is made from a primary on this machine")
    with psycopg.connect(**params, autocommit=True) as conn:
        show = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in (  # noqa: S608 (fixed names)
            "hba_file", "server_version_num", "wal_level", "max_wal_senders", "max_connections",
            "max_worker_processes", "max_prepared_transactions", "max_locks_per_transaction")}
    if show["wal_level"] == "minimal" or show["max_wal_senders"] == "0":
        _unavailable("the primary does not stream WAL (wal_level minimal or max_wal_senders 0)")
    version = int(show["server_version_num"]) // 10000
    basebackup = f"/usr/lib/postgresql/{version}/bin/pg_basebackup"
    if not Path(basebackup).exists():
        _unavailable(f"{basebackup} is missing")

    _drop_stale_replicas(params)
    _allow_replication_connections(params)
    cluster = Cluster(version, f"{CLUSTER_PREFIX}{os.getpid()}", _free_port())
    # A hot standby needs at least the primary's values of these.
    options = [arg for name in ("max_connections", "max_worker_processes", "max_wal_senders",
                                "max_prepared_transactions", "max_locks_per_transaction")
               for arg in ("-o", f"{name}={show[name]}")]
    run("pg_createcluster", "--start-conf=manual", "-p", str(cluster.port), *options,
        str(version), cluster.name)
    try:
        # The replica lets in whom the primary lets in (the test connects as it does there).
        shutil.copyfile(show["hba_file"], f"/etc/postgresql/{version}/{cluster.name}/pg_hba.conf")
        data_dir = Path(f"/var/lib/postgresql/{version}/{cluster.name}")
        for attempt in range(3):  # a primary busy with other work may end a backup's stream
            for entry in data_dir.iterdir():  # pg_basebackup wants it empty
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            _drop_slot(params, cluster.name)
            # As postgres, so the files are the server's; -c fast: no wait for a spread
            # checkpoint; a slot (-C -S) keeps the primary's WAL until the replica streams it,
            # however much other work writes meanwhile.
            try:
                run("runuser", "-u", "postgres", "--", basebackup, "-h", params["host"],
                    "-p", str(params["port"]), "-U", params["user"], "-D", str(data_dir), "-R",
                    "-X", "stream", "-c", "fast", "-C", "-S", cluster.name, timeout=1800)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        cluster.ctl("start")
        # It first replays what the primary wrote during the backup, however much that was.
        wait(lambda: cluster.sql("SELECT pg_is_in_recovery()"), "the replica to start in recovery",
             timeout=1800)
        cluster.wait_for_replay()

        alias = deepcopy(connections["default"].settings_dict)  # the test database's name
        alias["PORT"] = str(cluster.port)
        alias["TEST"] = {**alias["TEST"], "MIRROR": "default"}
        alias["OPTIONS"]["connect_timeout"] = 2
        connections.settings[REPLICA] = alias
        yield cluster
    finally:
        if REPLICA in connections.settings:
            with django_db_blocker.unblock():
                connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
        run("pg_dropcluster", "--stop", str(version), cluster.name)
        _drop_slot(params, cluster.name)


@pytest.fixture
def routed(replica_cluster, settings):
    """The router on, as DATABASE_REPLICA_URL turns it on; the lag measured on every read."""
    settings.DATABASE_ROUTERS = ["catalog.replica.ReplicaRouter"]
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    replica.reset_health()
    yield replica_cluster
    replica.reset_health()


@contextmanager
def queries_by_database():
    seen = {"default": [], REPLICA: []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)
        return record

    with (connections["default"].execute_wrapper(recorder("default")),
          connections[REPLICA].execute_wrapper(recorder(REPLICA))):
        yield seen


def reading(seen: dict, alias: str, table: str = "clienteling_customer") -> list[str]:
    return [sql for sql in seen[alias] if f'"{table}"' in sql]


def names(response) -> set[str]:
    return {row["customer"].first_name for row in response.context["result"].rows}


def signed_in(client, user, cluster: Cluster):
    """Signed in, with the session's first save (the store's timezone) replayed already."""
    client.force_login(user)
    assert client.get(reverse("clienteling:today")).status_code == 200
    cluster.wait_for_replay()
    return client


PAGES = {"list": LIST, "count": "clienteling:customer_count", "export": "clienteling:customer_export",
         "my book": "clienteling:my_client_book", "store book": "clienteling:store_client_book",
         "today": "clienteling:today"}


@on_postgresql
@committed
@pytest.mark.parametrize("page", PAGES)
def test_lists_the_export_and_today_read_customers_from_the_replica(page, client, org, manager,
                                                                    customer_a, routed):
    book = services.client_book_get_or_create(owner=manager, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=customer_a, added_by=manager)
    TaskFactory(customer=customer_a, assignee=manager)  # due today: on Today
    signed_in(client, manager, routed)

    with queries_by_database() as seen:
        response = client.get(reverse(PAGES[page]))
        body = b"".join(response.streaming_content) if response.streaming else response.content

    assert response.status_code == 200
    assert reading(seen, REPLICA), f"{page}: no customer read from the replica"
    assert not reading(seen, "default"), f"{page}: customers read from the primary"
    assert page == "count" or b"Claire" in body


@on_postgresql
@committed
def test_the_writer_reads_its_write_from_the_primary_until_the_replica_replays_it(
        client, manager, associate_a, customer_a, routed, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600  # the write alone decides here
    signed_in(client, associate_a, routed)
    other = signed_in(Client(), manager, routed)
    routed.pause_replay()
    try:
        saved = client.post(reverse("clienteling:profile_contact_edit", args=[customer_a.pk]),
                            {"first_name": "Claire-Marie", "last_name": "Dupont"},
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200

        with queries_by_database() as seen:
            mine = client.get(reverse(LIST))
        assert names(mine) == {"Claire-Marie"}
        assert reading(seen, "default") and not reading(seen, REPLICA)

        # Someone else reads the replica, which has not replayed the change yet.
        with queries_by_database() as seen:
            theirs = other.get(reverse(LIST))
        assert names(theirs) == {"Claire"}
        assert reading(seen, REPLICA) and not reading(seen, "default")
    finally:
        routed.resume_replay()

    # Replayed: the writer's reads go back to the replica, inside the window still.
    with queries_by_database() as seen:
        again = client.get(reverse(LIST))
    assert names(again) == {"Claire-Marie"}
    assert reading(seen, REPLICA) and not reading(seen, "default")


@on_postgresql
@committed
def test_a_replica_lagging_past_the_bound_leaves_heavy_reads_to_the_primary(client, manager, customer_a,
                                                                          routed, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1
    signed_in(client, manager, routed)
    routed.pause_replay()
    try:
        Customer.objects.filter(pk=customer_a.pk).update(first_name="Claire-Lagged")  # not a request's
        wait(lambda: routed.sql("SELECT EXTRACT(EPOCH FROM clock_timestamp() "
                                "- pg_last_xact_replay_timestamp()) > 2"), "the replica to fall behind")

        with queries_by_database() as seen:
            behind = client.get(reverse(LIST))
        assert names(behind) == {"Claire-Lagged"}
        assert reading(seen, "default") and not reading(seen, REPLICA)
    finally:
        routed.resume_replay()

    with queries_by_database() as seen:
        caught_up = client.get(reverse(LIST))
    assert names(caught_up) == {"Claire-Lagged"}
    assert reading(seen, REPLICA) and not reading(seen, "default")


@on_postgresql
@committed
def test_a_stopped_replica_leaves_the_pages_to_the_primary_until_it_is_back(client, manager, customer_a,
                                                                          routed, settings):
    settings.DATABASE_REPLICA_RETRY_SECONDS = 5
    signed_in(client, manager, routed)
    with queries_by_database() as seen:
        client.get(reverse(LIST))
    assert reading(seen, REPLICA)

    routed.ctl("stop")
    try:
        for attempt in ("finds the failure", "remembers it"):
            with queries_by_database() as seen:
                response = client.get(reverse(LIST))
            assert response.status_code == 200 and names(response) == {"Claire"}
            assert reading(seen, "default") and not reading(seen, REPLICA)
            if attempt == "remembers it":
                assert not seen[REPLICA]  # not even a try for the back-off
    finally:
        routed.ctl("start")
        wait(lambda: routed.sql("SELECT pg_is_in_recovery()"), "the replica to start again")
        routed.wait_for_replay()

    def back_on_the_replica():
        with queries_by_database() as seen:
            assert client.get(reverse(LIST)).status_code == 200
        return reading(seen, REPLICA)

    wait(back_on_the_replica, "heavy reads to return to the replica after the back-off")


@on_postgresql
@committed
def test_writes_transactions_and_migrations_stay_on_the_primary(customer_a, routed):
    routed.wait_for_replay()
    with queries_by_database() as seen, heavy_reads() as chosen:
        assert chosen == REPLICA
        assert Customer.objects.get(pk=customer_a.pk).first_name == "Claire"
        with transaction.atomic():
            Customer.objects.get(pk=customer_a.pk)
        CustomerFactory(legal_entity=customer_a.legal_entity, first_name="New")
        assert Customer.objects.count() == 2  # after a write the block reads the primary
    on_replica, on_primary = reading(seen, REPLICA), reading(seen, "default")
    assert len(on_replica) == 1 and on_replica[0].startswith("SELECT")
    assert any(sql.startswith("INSERT") for sql in on_primary) and "COUNT(*)" in on_primary[-1]
    assert len(on_primary) >= 3  # the read in the transaction, the write, the count
    assert router.allow_migrate("default", "clienteling") is True
    assert router.allow_migrate(REPLICA, "clienteling") is False
    # Outside heavy_reads() nothing reads the replica.
    with queries_by_database() as seen:
        Customer.objects.count()
    assert reading(seen, "default") and not seen[REPLICA]


# Settings: the replica alias and the router come from DATABASE_REPLICA_URL alone.

def _settings_with(**env) -> dict:
    script = ("import json, config.settings.base as s; "
              "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS}, default=str))")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DATABASE_", "DJANGO_", "PYTEST_"))}
    environment.update(REDIS_URL="redis://127.0.0.1:6379/2", **env)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60)
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def test_a_replica_url_adds_the_alias_and_the_router():
    loaded = _settings_with(DATABASE_URL="postgres://app:secret@db.internal:5432/atelier",
                            DATABASE_REPLICA_URL="postgres://reader:other@replica.internal:6432/atelier",
                            DATABASE_POOL="1")
    default, copy = loaded["databases"]["default"], loaded["databases"][REPLICA]
    assert (copy["HOST"], copy["PORT"], copy["USER"]) == ("replica.internal", 6432, "reader")
    assert copy["TEST"] == {"MIRROR": "default"}
    assert copy["OPTIONS"] == {**default["OPTIONS"], "connect_timeout": 2}  # the pool too
    assert copy["CONN_MAX_AGE"] == default["CONN_MAX_AGE"]
    assert loaded["routers"] == ["catalog.replica.ReplicaRouter"]

    plain = _settings_with(DATABASE_URL="postgres://app:secret@db.internal:5432/atelier")
    assert list(plain["databases"]) == ["default"] and plain["routers"] == []


def test_a_replica_needs_postgresql_and_a_window_no_shorter_than_the_lag_bound():
    assert "PostgreSQL" in _settings_with(DATABASE_REPLICA_URL="postgres://r@replica/atelier")["error"]
    assert "at least" in _settings_with(
        DATABASE_URL="postgres://app@db/atelier", DATABASE_REPLICA_URL="postgres://r@replica/atelier",
        DATABASE_REPLICA_MAX_LAG_SECONDS="30", DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS="10")["error"]
