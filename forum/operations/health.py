"""Health of what Heard depends on, for a load balancer or an uptime check.

The answer is deliberately small: "ok" or "unavailable" per dependency, never a version, a
hostname or an error message someone probing the site could use. The reason for a failure
goes to the log instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import literal, select
from sqlalchemy.exc import SQLAlchemyError

from forum.db import db, write_intent
from forum.stories.models import Story

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"

# A health check must answer quickly even when Redis is black-holed, not hang the probe.
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_SCHEMES = ("redis://", "rediss://")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """The state of each dependency; only the database is essential."""

    database: str
    redis: str

    @property
    def ok(self) -> bool:
        """Heard works without Redis (limits fall back to memory), but not without its database."""
        return self.database == OK

    def as_dict(self) -> dict[str, str]:
        """The small JSON answer."""
        return {
            "status": OK if self.ok else UNAVAILABLE,
            "database": self.database,
            "redis": self.redis,
        }


def check_database() -> str:
    """Whether the database answers a read of a real table (so an empty, new file fails too)."""
    # A read-only unit of work: on SQLite the check must never queue behind a writer's lock.
    token = write_intent.set(False)
    try:
        with db.engine.connect() as conn:
            conn.execute(select(literal(1)).select_from(Story.__table__).limit(1)).all()
    except SQLAlchemyError as error:
        log.warning("Health check: the database did not answer (%s)", type(error).__name__)
        return UNAVAILABLE
    finally:
        write_intent.reset(token)
    return OK


def redis_url(config: dict) -> str | None:
    """The Redis that Heard is configured to use (the rate-limit store), if any."""
    url = str(config.get("RATELIMIT_STORAGE_URI") or "")
    return url if url.startswith(REDIS_SCHEMES) else None


def check_redis(url: str | None) -> str:
    """Whether the configured Redis answers a PING within a short timeout."""
    if not url:
        return NOT_CONFIGURED
    try:
        import redis
    except ImportError:
        log.warning("Health check: REDIS_URL is set but the redis package is not installed")
        return UNAVAILABLE
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        retry_on_timeout=False,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        log.warning("Health check: Redis did not answer (%s)", type(error).__name__)
        return UNAVAILABLE
    finally:
        client.close()
    return OK


def check(config: dict) -> Health:
    """Check every dependency once."""
    return Health(database=check_database(), redis=check_redis(redis_url(config)))
