"""Configuration from the environment, in one place, with safe defaults.

Everything works with no environment at all: SQLite under ``data/``, the offline
interviewer, and secrets generated on first run into ``data/secrets.json`` (outside git),
so a fresh clone runs with one command. Tests override values with environment
variables and :func:`reset_settings`.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


MIN_SECRET_BYTES = 32
# The Gemini models used when none is configured (why these: docs/gemini.md).
DEFAULT_LIVE_MODEL = "gemini-3.8-live"
DEFAULT_FEEDBACK_MODEL = "gemini-3.8-flash"
_LOOPBACK = ("localhost", "127.0.0.1")


class InsecureSettings(RuntimeError):
    """A setting that would make the server unsafe to run (the server refuses to start)."""


def _env(name: str, default: str = "") -> str:
    """The variable's value; a variable that is set but blank counts as unset."""
    return os.environ.get(name, "").strip() or default


def _secret(name: str, generated: str) -> str:
    value = _env(name, generated)
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise InsecureSettings(f"{name} is shorter than {MIN_SECRET_BYTES} bytes; use e.g. `openssl rand -hex 32`.")
    return value


def _private_dir(data_dir: Path) -> None:
    """The data directory (database, secrets) is readable by its owner only."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if data_dir.stat().st_mode & 0o077:
        data_dir.chmod(0o700)


def _load_or_create_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets for the embedded default: generated once, kept in data/ with mode 0600.

    The file is created 0600 in one step (``O_CREAT | O_EXCL``), never written first and
    chmod-ed after; two processes starting at once agree on whichever wrote first.
    """
    path = data_dir / "secrets.json"
    _private_dir(data_dir)
    if not path.exists():
        values = {"secret_key": secrets.token_urlsafe(48), "worker_secret": secrets.token_urlsafe(48)}
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race: read theirs
        else:
            with os.fdopen(fd, "w") as out:
                out.write(json.dumps(values))
            return values
    return json.loads(path.read_text())


@dataclass(frozen=True)
class Settings:
    """Every setting, each with its one default written here: :func:`get_settings` reads the
    environment over these, and code that needs a default (``RelayConfig``) takes it from here."""

    # Found at start-up, no fixed default: the data directory and what lives in it.
    data_dir: Path
    database_url: str  # SQLite in data_dir unless DATABASE_URL says otherwise
    secret_key: str  # signs worker JWTs
    worker_secret: str  # shared secret for the worker-only HTTP calls
    recordings_dir: Path  # data_dir / "recordings" unless PREPPAL_RECORDINGS_DIR says otherwise

    public_url: str = "http://localhost:3000"  # where the browser reaches the app (OAuth redirect URIs)

    interviewer: str = "auto"  # auto | gemini | offline
    gemini_api_key: str = ""
    # A Live model with a profile (preppal/live/gemini_profiles.py, docs/gemini.md).
    gemini_model: str = DEFAULT_LIVE_MODEL
    gemini_api_version: str = ""  # empty = the model's own (v1beta on the Gemini API, v1beta1 on Vertex)
    gemini_base_url: str = ""  # empty = Google's default
    gemini_voice: str = "Puck"
    gemini_ca_file: str = ""  # extra CA bundle (tests' local Live-API stand-in)
    gemini_connect_timeout_s: float = 15.0
    gemini_wire_fast_path: bool = True  # the pinned hot-path adapter (live/gemini_wire.WireFastPath)
    feedback_model: str = DEFAULT_FEEDBACK_MODEL  # a current text model with structured output (docs/gemini.md)

    max_session_s: int = 3600
    audio_frame_ms: int = 40  # browser → relay AudioChunk length (docs/performance.md: why 40)
    worker_token_ttl_s: int = 300
    login_session_days: int = 14

    google_client_id: str = ""
    google_client_secret: str = ""
    github_client_id: str = ""
    github_client_secret: str = ""
    # Overridable so tests can run a local provider.
    oidc_google_metadata_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    github_oauth_url: str = "https://github.com"
    github_api_url: str = "https://api.github.com"
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For is believed (sign-in throttle)
    # Post-call jobs (feedback + audio analysis): "inprocess" runs them on threads of the web
    # process (analysis in a lower-priority child process); "worker" leaves them to `preppal worker`.
    jobs: str = "inprocess"
    audio_metrics: bool = True  # measure delivery from the recording when there is one
    analysis_threads: int = 1  # Whisper CPU threads per analysis (docs/performance.md)
    analysis_nice: int = 10  # niceness of analysis processes: live calls come first
    extra_origins: tuple[str, ...] = ()  # origins besides public_url allowed by CORS and the CSRF check
    # Rate limits (0 = off); docs/security.md explains each.
    signups_per_hour: int = 20  # per client address
    interviews_per_hour: int = 30  # per user
    tokens_per_minute: int = 30  # per user (connect and reconnect tokens)
    uploads_per_hour: int = 20  # per user (résumé files)
    exports_per_hour: int = 30  # per user (Markdown and PDF exports, each rendered in a child process)

    # Recordings (docs/recordings.md): local directory by default, S3-compatible when a bucket is set.
    keep_recordings: bool = True
    s3_bucket: str = ""
    s3_endpoint_url: str = ""  # empty = AWS; e.g. http://minio:9000 for another S3-compatible store
    s3_region: str = ""
    s3_prefix: str = "recordings/"
    recording_checkpoint_s: float = 10.0  # S3: flushed audio is uploaded at least this often
    redis_url: str = ""  # relay coordination between processes (defaults to REFLEX_REDIS_URL)
    relay_grace_s: float = 30.0  # a dropped candidate's time to come back (any worker)
    lease_ttl_s: float = 15.0  # an interview's lease; renewed every lease_ttl_s / 5
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")  # who may read /metrics (addresses or CIDRs)
    # Gemini: Vertex AI instead of the Gemini API (express mode: the API key; docs/gemini.md).
    gemini_vertex: bool = False
    # Listening (docs/gemini.md, "Listening"): end-of-speech sensitivity and the silence before
    # Gemini takes the turn, for a standard interview (warm-up waits longer, intense less).
    gemini_end_sensitivity: str = "LOW"  # LOW | HIGH
    gemini_silence_ms: int = 1200
    gemini_check_interval_s: float = 600.0  # the model check re-runs this often (0 = only at start)
    # The offline interviewer's English voice: "espeak" (default) or "joe", the opt-in natural
    # voice whose licence the README states (docs/voice.md); other languages always use espeak-ng.
    offline_voice: str = "espeak"

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Browser origins allowed to call the API with credentials (CORS) and post forms (CSRF)."""
        own = _origin(self.public_url)
        parts = urlsplit(own)
        if parts.hostname in _LOOPBACK:  # a local install is opened as localhost or 127.0.0.1 alike
            port = f":{parts.port}" if parts.port else ""
            return (own, *(f"{parts.scheme}://{host}{port}" for host in _LOOPBACK if host != parts.hostname)) + tuple(
                _origin(o) for o in self.extra_origins
            )
        return (own, *(_origin(o) for o in self.extra_origins))

    @property
    def use_gemini(self) -> bool:
        """Gemini when a key is configured (or forced); the offline interviewer otherwise."""
        if self.interviewer == "offline":
            return False
        return bool(self.gemini_api_key) or self.interviewer == "gemini"

    @property
    def api_version(self) -> str:
        """The Gemini API version: preview Live models are served under v1beta (the SDK's
        default is v1), Vertex AI under v1beta1; GEMINI_API_VERSION overrides both."""
        return self.gemini_api_version or ("v1beta1" if self.gemini_vertex else "v1beta")

    @property
    def interviewer_name(self) -> str:
        return "gemini" if self.use_gemini else "offline"


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else url.strip().rstrip("/")


_T = TypeVar("_T")
_OFF = ("0", "false", "no", "off")
_ON = ("1", "true", "yes", "on")


def _read(name: str, default: _T, parse: Callable[[str], _T]) -> _T:
    """The variable, parsed; the declared default when it is unset (or blank)."""
    raw = _env(name)
    return parse(raw) if raw else default


def _list(value: str) -> tuple[str, ...]:
    """A comma-separated list, blanks dropped."""
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (matched without case); the declared default for anything else."""
    raw = _env(name).lower()
    return next((c for c in choices if c.lower() == raw), default)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    d = Settings  # the declared defaults (class attributes of the dataclass)
    data_dir = Path(_env("PREPPAL_DATA_DIR", str(ROOT / "data"))).resolve()
    generated = _load_or_create_secrets(data_dir)
    return Settings(
        data_dir=data_dir,
        database_url=_env("DATABASE_URL", f"sqlite:///{data_dir / 'preppal.db'}"),
        secret_key=_secret("PREPPAL_SECRET_KEY", generated["secret_key"]),
        worker_secret=_secret("PREPPAL_WORKER_SECRET", generated["worker_secret"]),
        recordings_dir=Path(_env("PREPPAL_RECORDINGS_DIR", str(data_dir / "recordings"))).resolve(),
        public_url=_env("PREPPAL_PUBLIC_URL", d.public_url).rstrip("/"),
        interviewer=_env("PREPPAL_INTERVIEWER", d.interviewer).lower(),
        gemini_api_key=_env("GEMINI_API_KEY") or _env("GOOGLE_API_KEY", d.gemini_api_key),
        gemini_model=_env("GEMINI_MODEL", d.gemini_model),
        gemini_api_version=_env("GEMINI_API_VERSION", d.gemini_api_version),
        gemini_base_url=_env("GEMINI_BASE_URL", d.gemini_base_url),
        gemini_voice=_env("GEMINI_VOICE", d.gemini_voice),
        gemini_ca_file=_env("GEMINI_CA_FILE", d.gemini_ca_file),
        gemini_connect_timeout_s=_read("GEMINI_CONNECT_TIMEOUT_S", d.gemini_connect_timeout_s, float),
        gemini_wire_fast_path=_read("PREPPAL_GEMINI_WIRE_FAST_PATH", d.gemini_wire_fast_path, lambda v: v != "0"),
        feedback_model=_env("GEMINI_FEEDBACK_MODEL", d.feedback_model),
        max_session_s=_read("PREPPAL_MAX_SESSION_S", d.max_session_s, int),
        audio_frame_ms=min(100, max(10, _read("PREPPAL_AUDIO_FRAME_MS", d.audio_frame_ms, int))),
        worker_token_ttl_s=_read("PREPPAL_WORKER_TOKEN_TTL_S", d.worker_token_ttl_s, int),
        login_session_days=_read("PREPPAL_LOGIN_SESSION_DAYS", d.login_session_days, int),
        google_client_id=_env("GOOGLE_CLIENT_ID", d.google_client_id),
        google_client_secret=_env("GOOGLE_CLIENT_SECRET", d.google_client_secret),
        github_client_id=_env("GITHUB_CLIENT_ID", d.github_client_id),
        github_client_secret=_env("GITHUB_CLIENT_SECRET", d.github_client_secret),
        oidc_google_metadata_url=_env("GOOGLE_OIDC_METADATA_URL", d.oidc_google_metadata_url),
        github_oauth_url=_env("GITHUB_OAUTH_URL", d.github_oauth_url).rstrip("/"),
        github_api_url=_env("GITHUB_API_URL", d.github_api_url).rstrip("/"),
        trusted_proxies=_read("PREPPAL_TRUSTED_PROXIES", d.trusted_proxies, _list),
        jobs=_choice("PREPPAL_JOBS", d.jobs, ("inprocess", "worker")),
        audio_metrics=_read("PREPPAL_AUDIO_METRICS", d.audio_metrics, lambda v: v not in _OFF),
        analysis_threads=max(1, _read("PREPPAL_ANALYSIS_THREADS", d.analysis_threads, int)),
        analysis_nice=min(19, max(0, _read("PREPPAL_ANALYSIS_NICE", d.analysis_nice, int))),
        extra_origins=_read("PREPPAL_EXTRA_ORIGINS", d.extra_origins, _list),
        signups_per_hour=_read("PREPPAL_SIGNUPS_PER_HOUR", d.signups_per_hour, int),
        interviews_per_hour=_read("PREPPAL_INTERVIEWS_PER_HOUR", d.interviews_per_hour, int),
        tokens_per_minute=_read("PREPPAL_TOKENS_PER_MINUTE", d.tokens_per_minute, int),
        uploads_per_hour=_read("PREPPAL_UPLOADS_PER_HOUR", d.uploads_per_hour, int),
        exports_per_hour=_read("PREPPAL_EXPORTS_PER_HOUR", d.exports_per_hour, int),
        keep_recordings=_read("PREPPAL_KEEP_RECORDINGS", d.keep_recordings, lambda v: v.lower() not in _OFF),
        s3_bucket=_env("PREPPAL_S3_BUCKET", d.s3_bucket),
        s3_endpoint_url=_env("PREPPAL_S3_ENDPOINT_URL", d.s3_endpoint_url),
        s3_region=_env("PREPPAL_S3_REGION", d.s3_region),
        s3_prefix=_env("PREPPAL_S3_PREFIX", d.s3_prefix),
        recording_checkpoint_s=max(1.0, _read("PREPPAL_RECORDING_CHECKPOINT_S", d.recording_checkpoint_s, float)),
        redis_url=_env("PREPPAL_REDIS_URL") or _env("REFLEX_REDIS_URL", d.redis_url),
        relay_grace_s=_read("PREPPAL_RELAY_GRACE_S", d.relay_grace_s, float),
        lease_ttl_s=max(1.0, _read("PREPPAL_LEASE_TTL_S", d.lease_ttl_s, float)),
        metrics_allow=_read("PREPPAL_METRICS_ALLOW", d.metrics_allow, _list),
        gemini_vertex=_read("GOOGLE_GENAI_USE_VERTEXAI", d.gemini_vertex, lambda v: v.lower() in _ON),
        gemini_end_sensitivity=_choice("GEMINI_END_SENSITIVITY", d.gemini_end_sensitivity, ("LOW", "HIGH")),
        gemini_silence_ms=min(5000, max(300, _read("GEMINI_SILENCE_MS", d.gemini_silence_ms, int))),
        gemini_check_interval_s=max(0.0, _read("GEMINI_CHECK_INTERVAL_S", d.gemini_check_interval_s, float)),
        offline_voice=_choice("PREPPAL_OFFLINE_VOICE", d.offline_voice, ("espeak", "joe")),
    )


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
