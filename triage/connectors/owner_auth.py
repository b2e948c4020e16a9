"""Bearer tokens for the review platforms' owner APIs, and HTTP calls with a total deadline.

Three ways to get a token, each a small callable object ``provider(force=False) -> str``
that caches its token until shortly before it expires (``force=True`` gets a fresh one,
after the platform answered 401):

* :class:`AppStoreConnectToken` — App Store Connect signs nothing on Apple's side: the token
  *is* a JWT signed ES256 with the team's ``.p8`` key (``kid`` = key id, ``iss`` = issuer id,
  ``aud = "appstoreconnect-v1"``, at most 20 minutes of life).
* :class:`GoogleServiceAccountToken` — Google Play Developer API and Google Business Profile:
  a JWT signed RS256 with the service account's private key, exchanged at the key's
  ``token_uri`` (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``) for an access
  token that lives ``expires_in`` seconds.
* :class:`ClientCredentialsToken` — Trustpilot's business API: OAuth client credentials
  (API key and secret, HTTP Basic) at ``/v1/oauth/oauth-business-users-for-applications/
  accesstoken``.

Every exchange has a total deadline (:func:`request_within`, built on
:mod:`triage.http_delivery`): a token endpoint that trickles its answer cannot hold a crawl or
a responder's click for longer than ``timeout`` seconds.

**Who signs (the import rule).** ``crawler`` may not import ``triage``, so the spiders never
sign or exchange anything themselves. :mod:`grapevine.wiring` (which imports both) builds the
provider with :func:`token_provider` from the source's config and the environment and hands it
to the spider as the ``token_provider`` spider argument — a plain callable. The spider puts
``Authorization: Bearer <token>`` on each request and, when the platform answers 401, asks
once for a fresh token (``force=True``) and repeats the request. The reply connectors use the
same providers; :func:`token_provider` gives one shared provider per set of credentials, so
the reply buttons of a dashboard process reuse one token. A provider pickles without its
cache and lock (the crawl may run in a child process), and never logs or prints its secrets.
"""

import base64
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests

from triage.connectors.base import ReplyError, error_from_status
from triage.http_delivery import MAX_ANSWER_BYTES, deadline_session, http_error, total_deadline

#: ``provider(force=False) -> token``
TokenProvider = Callable[..., str]

APPSTORE_AUDIENCE = "appstoreconnect-v1"
APPSTORE_LIFETIME = 19 * 60  # Apple refuses tokens that live longer than 20 minutes
GOOGLE_PLAY_SCOPE = "https://www.googleapis.com/auth/androidpublisher"
GOOGLE_BUSINESS_SCOPE = "https://www.googleapis.com/auth/business.manage"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 (an address)
TRUSTPILOT_TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"  # noqa: S105
#: A cached token is renewed this many seconds before it expires.
EARLY = 60.0
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class Answer:
    """A platform's answer: status, headers and the first bytes of its body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (``None`` when it is not JSON)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def request_within(
    method: str,
    url: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
    session: requests.Session | None = None,
) -> Answer:
    """One HTTP request answered within ``timeout`` seconds in all, or ``ReplyError``
    (``unavailable``) saying why; the answer is read up to 64 KiB."""
    session = session or deadline_session()
    with total_deadline(timeout) as expired:
        try:
            response = session.request(
                method,
                url,
                data=data,
                headers=dict(headers or {}),
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            with response:
                chunks, size = [], 0
                for chunk in response.iter_content(8192):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_ANSWER_BYTES:
                        break
                answer = Answer(response.status_code, dict(response.headers), b"".join(chunks))
        except (requests.RequestException, OSError) as exc:
            if expired.is_set():
                raise ReplyError("unavailable", f"timed out after {timeout:g} s") from None
            if isinstance(exc, requests.RequestException):
                raise ReplyError("unavailable", http_error(exc, timeout)) from None
            raise ReplyError("unavailable", f"request failed ({type(exc).__name__})") from None
    if expired.is_set():
        raise ReplyError("unavailable", f"timed out after {timeout:g} s")
    return answer


def platform_message(answer: Answer) -> str:
    """The platform's own words for an error answer (Apple, Google or Trustpilot shape)."""
    data = answer.json()
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):  # Apple
            first = errors[0]
            return str(first.get("detail") or first.get("title") or first.get("code"))
        error = data.get("error")
        if isinstance(error, dict):  # Google
            return str(error.get("message") or error.get("status"))
        if isinstance(error, str):  # OAuth token endpoints
            return str(data.get("error_description") or error)
        fault = data.get("fault")
        if isinstance(fault, dict) and fault.get("faultstring"):  # Trustpilot's API gateway
            return str(fault["faultstring"])
        for key in ("message", "details", "errorMessage"):  # Trustpilot
            if isinstance(data.get(key), str):
                return str(data[key])
    return f"HTTP {answer.status}"


def raise_for(answer: Answer, what: str) -> None:
    """Raise the :class:`ReplyError` for an error answer (nothing for a 2xx)."""
    if 200 <= answer.status < 300:
        return
    retry_after = answer.headers.get("Retry-After") or answer.headers.get("retry-after")
    raise error_from_status(
        answer.status, f"{what}: {platform_message(answer)} (HTTP {answer.status})", retry_after
    )


class _Cached:
    """A token kept until ``EARLY`` seconds before it expires; thread-safe; pickles empty."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        #: what is missing (an unset environment variable), said when a token is asked for
        self.problem: str | None = None

    def __call__(self, force: bool = False) -> str:
        """The current token (a new one when forced, missing or about to expire)."""
        if self.problem:
            raise ReplyError("auth", self.problem)
        with self._lock:
            if force or self._token is None or time.time() >= self._expires - EARLY:
                self._token, lifetime = self._fetch()
                self._expires = time.time() + lifetime
            return self._token

    def _fetch(self) -> tuple[str, float]:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lock", None)
        state["_token"], state["_expires"] = None, 0.0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the secrets
        return f"<{type(self).__name__}>"


def _require(**values: Any) -> None:
    for what, value in values.items():
        if not value:
            raise ReplyError("auth", f"{what} is not set")


class AppStoreConnectToken(_Cached):
    """An App Store Connect API token: a JWT signed ES256 with the team's ``.p8`` key."""

    def __init__(
        self, *, key_id: str | None, issuer_id: str | None, private_key: str | None
    ) -> None:
        super().__init__()
        self.key_id, self.issuer_id, self.private_key = key_id, issuer_id, private_key

    def _fetch(self) -> tuple[str, float]:
        _require(key_id=self.key_id, issuer_id=self.issuer_id, private_key=self.private_key)
        now = int(time.time())
        claims = {
            "iss": self.issuer_id,
            "iat": now,
            "exp": now + APPSTORE_LIFETIME,
            "aud": APPSTORE_AUDIENCE,
        }
        try:
            token = jwt.encode(
                claims,
                str(self.private_key).replace("\\n", "\n"),
                algorithm="ES256",
                headers={"kid": self.key_id, "typ": "JWT"},
            )
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise ReplyError(
                "auth", f"the App Store Connect private key is not an EC .p8 key ({exc})"
            ) from None
        return token, float(APPSTORE_LIFETIME)


class GoogleServiceAccountToken(_Cached):
    """An OAuth access token for a Google service account (JWT bearer grant, RS256)."""

    def __init__(
        self, *, key_json: str | None, scope: str, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__()
        self.key_json, self.scope, self.timeout = key_json, scope, timeout

    def key(self) -> dict[str, Any]:
        """The parsed service-account key (``client_email``, ``private_key``, ``token_uri``)."""
        _require(service_account_key=self.key_json)
        try:
            info = json.loads(str(self.key_json))
        except ValueError:
            raise ReplyError("auth", "the service-account key is not JSON") from None
        if (
            not isinstance(info, dict)
            or not info.get("client_email")
            or not info.get("private_key")
        ):
            raise ReplyError("auth", "the service-account key has no client_email or private_key")
        return info

    def _fetch(self) -> tuple[str, float]:
        info = self.key()
        token_uri = str(info.get("token_uri") or GOOGLE_TOKEN_URI)
        now = int(time.time())
        claims = {
            "iss": info["client_email"],
            "scope": self.scope,
            "aud": token_uri,
            "iat": now,
            "exp": now + 3600,
        }
        headers = {"kid": info["private_key_id"]} if info.get("private_key_id") else None
        try:
            assertion = jwt.encode(claims, info["private_key"], algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise ReplyError(
                "auth", f"the service-account private key is unusable ({exc})"
            ) from None
        body = urlencode(
            {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        ).encode()
        answer = request_within(
            "POST",
            token_uri,
            timeout=self.timeout,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return _token_from(answer, "Google token exchange")


class ClientCredentialsToken(_Cached):
    """An OAuth client-credentials token (Trustpilot: API key and secret, HTTP Basic)."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str | None,
        client_secret: str | None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__()
        self.token_url, self.timeout = token_url, timeout
        self.client_id, self.client_secret = client_id, client_secret

    def _fetch(self) -> tuple[str, float]:
        _require(api_key=self.client_id, api_secret=self.client_secret)
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        answer = request_within(
            "POST",
            self.token_url,
            timeout=self.timeout,
            data=b"grant_type=client_credentials",
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return _token_from(answer, "Trustpilot token request")


def _token_from(answer: Answer, what: str) -> tuple[str, float]:
    if answer.status in (400, 401, 403):  # a refused grant is a credentials problem
        raise ReplyError("auth", f"{what} refused: {platform_message(answer)}")
    raise_for(answer, what)
    data = answer.json()
    token = data.get("access_token") if isinstance(data, dict) else None
    if not token:
        raise ReplyError("unavailable", f"{what}: no access_token in the answer")
    try:
        lifetime = float(data.get("expires_in") or 3600)
    except (TypeError, ValueError):
        lifetime = 3600.0
    return str(token), lifetime


#: The default API address of each owner-API source type.
DEFAULT_BASE_URLS = {
    "appstore_connect": "https://api.appstoreconnect.apple.com",
    "googleplay": "https://androidpublisher.googleapis.com",
    "googlebusiness": "https://mybusiness.googleapis.com",
    "trustpilot_business": "https://api.trustpilot.com",
}
OWNER_API_TYPES = tuple(DEFAULT_BASE_URLS)


def secret(source: Mapping[str, Any], environ: Mapping[str, str], key: str) -> str | None:
    """The secret a source names in ``<key>_env`` (or, already resolved, in ``<key>``)."""
    env_name = source.get(f"{key}_env")
    if env_name:
        return environ.get(str(env_name)) or None
    value = source.get(key)
    return str(value) if value else None


def check_credentials(source: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """``ReplyError('auth')`` naming the first environment variable a source's ``*_env`` keys
    name that is not set (a connector is built only with its credentials at hand)."""
    for key, env_name in source.items():
        if key.endswith("_env") and env_name and not environ.get(str(env_name)):
            raise ReplyError("auth", f"environment variable {env_name} ({key}) is not set")


def base_url(source: Mapping[str, Any]) -> str:
    """The source's API address: its ``base_url`` or the platform's."""
    default = DEFAULT_BASE_URLS.get(str(source.get("type")), "")
    return str(source.get("base_url") or default).rstrip("/")


def token_provider(
    source: Mapping[str, Any], environ: Mapping[str, str], *, timeout: float = DEFAULT_TIMEOUT
) -> TokenProvider:
    """The token provider of an owner-API source (its ``type`` and ``*_env`` keys).

    Missing credentials are reported when a token is first asked for (``ReplyError('auth')``
    naming what is missing), so a misconfigured source fails its own crawl only.
    """
    kind = str(source.get("type"))
    key = (kind, base_url(source), timeout, *(secret(source, environ, n) for n in _SECRETS))
    with _SHARED_LOCK:  # one provider (and one cached token) per set of credentials
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = _new_provider(kind, source, environ, timeout)
            try:
                check_credentials(source, environ)
            except ReplyError as exc:
                shared.problem = exc.message  # type: ignore[attr-defined]
        return shared


_SECRETS = ("key_id", "issuer_id", "private_key", "service_account", "api_key", "api_secret")
_SHARED: dict[tuple[Any, ...], TokenProvider] = {}
_SHARED_LOCK = threading.Lock()


def _new_provider(
    kind: str, source: Mapping[str, Any], environ: Mapping[str, str], timeout: float
) -> TokenProvider:
    if kind == "appstore_connect":
        return AppStoreConnectToken(
            key_id=secret(source, environ, "key_id"),
            issuer_id=secret(source, environ, "issuer_id"),
            private_key=secret(source, environ, "private_key"),
        )
    if kind in ("googleplay", "googlebusiness"):
        scope = GOOGLE_PLAY_SCOPE if kind == "googleplay" else GOOGLE_BUSINESS_SCOPE
        return GoogleServiceAccountToken(
            key_json=secret(source, environ, "service_account"), scope=scope, timeout=timeout
        )
    if kind == "trustpilot_business":
        return ClientCredentialsToken(
            token_url=base_url(source) + TRUSTPILOT_TOKEN_PATH,
            client_id=secret(source, environ, "api_key"),
            client_secret=secret(source, environ, "api_secret"),
            timeout=timeout,
        )
    raise ValueError(f"no owner API for source type {kind!r}")


class OwnerApiClient:
    """Authorised JSON calls to one owner API: bearer token, one fresh token after a 401."""

    def __init__(
        self, base: str, provider: TokenProvider, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.base, self.provider, self.timeout = base.rstrip("/"), provider, timeout
        self.session = deadline_session()

    def call(self, method: str, path: str, what: str, body: Any = None) -> Any:
        """``method path`` with ``body`` as JSON; the answer's JSON, or ``ReplyError``."""
        data = json.dumps(body).encode() if body is not None else None
        answer = self._send(method, path, data, force=False)
        if answer.status == 401:
            answer = self._send(method, path, data, force=True)
        raise_for(answer, what)
        return answer.json()

    def _send(self, method: str, path: str, data: bytes | None, *, force: bool) -> Answer:
        headers = {
            "Authorization": f"Bearer {self.provider(force=force)}",
            "Accept": "application/json",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        return request_within(
            method,
            self.base + path,
            timeout=self.timeout,
            headers=headers,
            data=data,
            session=self.session,
        )
