import os

os.environ.setdefault("HOIDAP_EMBEDDER", "none")  # tests that need vectors ask for them explicitly

import shutil  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402

from hoidap.config import BUNDLED_CORPUS  # noqa: E402

# PostgreSQL and Redis run on the development and CI machines (docs/deploy.md); tests use them directly.
PG_URL = os.environ.get("HOIDAP_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HOIDAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def pg_schema():
    """A fresh PostgreSQL schema for one test, dropped after it: (url, schema)."""
    import psycopg

    from hoidap.store_pg import create_schema, drop_schema

    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for this test and is not reachable at {PG_URL} "
                    f"(set HOIDAP_TEST_DATABASE_URL): {exc}", pytrace=False)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    create_schema(PG_URL, schema)
    yield PG_URL, schema
    drop_schema(PG_URL, schema)


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request, tmp_path):
    """Opens a store on this test's database, on each engine in turn; every store opened is closed after."""
    opened = []
    if request.param == "sqlite":
        from hoidap.store import Store

        def make(cls=Store):
            opened.append(cls(tmp_path / "hoidap.sqlite"))
            return opened[-1]
    else:
        from hoidap.store_pg import PostgresStore

        url, schema = request.getfixturevalue("pg_schema")

        def make(cls=PostgresStore):
            opened.append(cls(url, schema=schema))
            return opened[-1]
    make.engine = request.param
    yield make
    for store in opened:
        store.close()


@pytest.fixture
def redis_prefix():
    """A random key prefix on the real Redis, every key under it deleted after the test: (url, prefix)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is required for this test and is not reachable at {REDIS_URL} "
                    f"(set HOIDAP_TEST_REDIS_URL): {exc}", pytrace=False)
    prefix = f"hoidap-test-{uuid.uuid4().hex[:12]}:"
    yield REDIS_URL, prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


@pytest.fixture
def corpus(tmp_path):
    """A corpus folder with one bundled plan (An Giang, NQ 71): replicas and workers start in seconds."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(BUNDLED_CORPUS / "angiang_stp_kh_nq71.txt", folder)
    return folder
