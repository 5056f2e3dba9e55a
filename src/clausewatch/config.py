"""Settings: one place for the data directory, the database URL and the network allowances.

Every setting can come from a ``CLAUSEWATCH_*`` environment variable or a CLI flag.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Debian's Chromium on a closed network: without the background-networking flags it keeps
# trying to reach Google's hosts; the project never downloads a browser of its own.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "clausewatch"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAUSEWATCH_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    allow_hosts: str = ""
    user_agent: str = "clausewatch/0.1 (+https://github.com/clausewatch/clausewatch)"
    concurrency: int = 32
    per_host_concurrency: int = 4
    timeout_seconds: float = 30.0
    max_redirects: int = 10
    max_response_bytes: int = 20 * 1024 * 1024
    retries: int = 2
    chromium_path: str = "/usr/bin/chromium"

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value).expanduser()
        return value

    @cached_property
    def allowed_hosts(self) -> frozenset[str]:
        """Hosts that the SSRF guard lets through even when they resolve to private addresses."""
        return frozenset(h.strip().lower() for h in self.allow_hosts.split(",") if h.strip())

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            elif url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url[len("postgres://") :]
            return url
        return f"sqlite:///{self.data_dir / 'clausewatch.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")
