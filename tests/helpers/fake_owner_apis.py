"""A local server (127.0.0.1, port 0) playing four review platforms' owner APIs.

App Store Connect (``/v1/apps/…/customerReviews``, ``/v1/customerReviewResponses``), Google
Play Developer API (``/androidpublisher/v3/…``), Google Business Profile (``/v4/accounts/…``)
and Trustpilot's business API (``/v1/private/…``), with their token endpoints (Google's
``/token``, Trustpilot's ``/v1/oauth/…/accesstoken``). Requests and answers follow the
platforms' documentation (see tests/fixtures/PROVENANCE.md, "Owner APIs"):

* auth is checked for real: an App Store token must be an ES256 JWT that verifies with the
  test key pair's public key (``kid``, ``iss``, ``aud``, at most 20 minutes); a Google
  assertion must verify RS256 with the service account's public key before an access token is
  issued; Trustpilot wants HTTP Basic with the API key and secret; the APIs accept only the
  access tokens issued (``expire_tokens()`` revokes them, as an expiry does);
* pagination: ``page_size`` reviews a page (Apple's ``links.next`` is absolute on Apple's own
  host, as the real one is), Google's page tokens, Trustpilot's page numbers;
* errors in each platform's shape: ``fail(platform, status, retry_after=…)`` makes the next
  API call of that platform fail; a review in ``deleted`` answers 404 like a deleted review.

Every request is kept in ``log`` (method, path, headers, JSON body).
"""

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt

APPLE_HOST = "https://api.appstoreconnect.apple.com"
TRUSTPILOT_TOKEN = "/v1/oauth/oauth-business-users-for-applications/accesstoken"  # noqa: S105


@dataclass
class Call:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Credentials:
    """What the server accepts: the public keys and ids of the test key pairs."""

    apple_key_id: str = "ABC123DEFG"
    apple_issuer_id: str = "57246542-96fe-1a63-e053-0824d011072a"
    apple_public_key: Any = None
    google_client_email: str = "grapevine@grapevine-test.iam.gserviceaccount.com"
    google_public_key: Any = None
    trustpilot_key: str = "tp-key"
    trustpilot_secret: str = "tp-secret"  # noqa: S105


def iso(ts: float) -> str:
    """An ISO 8601 UTC time of epoch seconds."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class State:
    """The platforms' data: reviews (newest first) and the company's replies."""

    apple: list[dict[str, Any]] = field(default_factory=list)
    apple_responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # review id ->
    play: list[dict[str, Any]] = field(default_factory=list)
    business: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # location ->
    trustpilot: list[dict[str, Any]] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)


def _platform(path: str) -> str | None:
    if path.startswith(("/v1/apps/", "/v1/customerReview")):
        return "apple"
    if path.startswith("/androidpublisher/"):
        return "play"
    if path.startswith("/v4/"):
        return "business"
    if path.startswith("/v1/private/"):
        return "trustpilot"
    return None


def error_body(platform: str, status: int, detail: str) -> dict[str, Any]:
    """An error answer in the platform's documented shape."""
    if platform == "apple":
        codes = {
            401: "NOT_AUTHORIZED",
            403: "FORBIDDEN_ERROR",
            404: "NOT_FOUND",
            409: "ENTITY_ERROR",
            429: "RATE_LIMIT_EXCEEDED",
        }
        titles = {
            401: "Authentication credentials are missing or invalid.",
            403: "The API key in use does not allow this request",
            404: "The specified resource does not exist",
            429: "The request rate limit has been reached.",
        }
        return {
            "errors": [
                {
                    "id": secrets.token_hex(8),
                    "status": str(status),
                    "code": codes.get(status, "UNEXPECTED_ERROR"),
                    "title": titles.get(status, "An unexpected error occurred."),
                    "detail": detail,
                }
            ]
        }
    if platform in ("play", "business", "google-token"):
        names = {
            400: "INVALID_ARGUMENT",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED",
        }
        return {
            "error": {"code": status, "message": detail, "status": names.get(status, "UNKNOWN")}
        }
    if status == 401:  # Trustpilot's gateway
        return {
            "fault": {"faultstring": detail, "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}
        }
    return {"message": detail, "errorCode": status}


class FakeOwnerApis:
    """``with FakeOwnerApis(credentials) as api: api.url("/…")``."""

    def __init__(self, credentials: Credentials, *, page_size: int = 3) -> None:
        self.credentials = credentials
        self.page_size = page_size
        self.state = State()
        self.log: list[Call] = []
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.failures: dict[str, list[tuple[int, float | None]]] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body: Any = raw.decode("utf-8", "replace")
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or b"null")
                with server._lock:
                    server.log.append(Call(self.command, self.path, dict(self.headers), body))
                    status, headers, answer = server.answer(
                        self.command, self.path, dict(self.headers), body
                    )
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- test controls -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    def fail(self, platform: str, status: int, *, retry_after: float | None = None) -> None:
        """Make the next API call of ``platform`` answer ``status`` (its own error shape)."""
        self.failures.setdefault(platform, []).append((status, retry_after))

    def expire_tokens(self) -> None:
        """Forget every access token issued (they expired)."""
        self.tokens.clear()

    def calls(self, method: str, path_start: str) -> list[Call]:
        """The requests with this method whose path starts with ``path_start``."""
        return [c for c in self.log if c.method == method and c.path.startswith(path_start)]

    def __enter__(self) -> "FakeOwnerApis":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- dispatch ------------------------------------------------------------------------
    def answer(
        self, method: str, target: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON) for one request."""
        parts = urlsplit(target)
        path, query = unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path == "/token" and method == "POST":
            return self.google_token(body)
        if path == TRUSTPILOT_TOKEN and method == "POST":
            return self.trustpilot_token(headers, body)
        platform = _platform(path)
        if platform is None:
            return 404, {}, {"message": "no such endpoint"}
        auth = headers.get("Authorization") or ""
        problem = self.check_auth(platform, auth)
        if problem:
            return 401, {}, error_body(platform, 401, problem)
        pending = self.failures.get(platform)
        if pending:
            status, wait = pending.pop(0)
            extra = {"Retry-After": f"{wait:g}"} if wait is not None else {}
            return status, extra, error_body(platform, status, f"injected {status}")
        handler = getattr(self, f"{platform}_api")
        result: tuple[int, dict[str, str], Any] = handler(method, path, query, body)
        return result

    def check_auth(self, platform: str, auth: str) -> str | None:
        """Why this Authorization header is refused (``None``: accepted)."""
        if not auth.startswith("Bearer "):
            return "Provide a bearer token"
        token = auth.removeprefix("Bearer ")
        if platform != "apple":
            return (
                None if token in self.tokens else "Request had invalid authentication credentials"
            )
        c = self.credentials
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                c.apple_public_key,
                algorithms=["ES256"],
                audience="appstoreconnect-v1",
                issuer=c.apple_issuer_id,
                options={"require": ["exp", "iat", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            return f"Provide a properly configured and signed bearer token ({exc})"
        if header.get("kid") != c.apple_key_id:
            return "unknown key id"
        if claims["exp"] - claims["iat"] > 20 * 60:
            return "the token lives longer than 20 minutes"
        return None

    def issue(self) -> str:
        """A new access token."""
        token = "ya29." + secrets.token_urlsafe(16)
        self.tokens.add(token)
        self.tokens_issued += 1
        return token

    def google_token(self, body: str) -> tuple[int, dict[str, str], Any]:
        """Google's token endpoint: the JWT bearer grant of a service account."""
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return (
                400,
                {},
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
            )
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                self.credentials.google_public_key,
                algorithms=["RS256"],
                audience=self.url("/token"),
                options={"require": ["exp", "iat", "aud", "iss", "scope"]},
            )
        except jwt.PyJWTError:
            return (
                400,
                {},
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
            )
        if claims["iss"] != self.credentials.google_client_email:
            return (
                401,
                {},
                {"error": "invalid_client", "error_description": "The OAuth client was not found."},
            )
        return 200, {}, {"access_token": self.issue(), "expires_in": 3599, "token_type": "Bearer"}

    def trustpilot_token(
        self, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, str], Any]:
        """Trustpilot's client-credentials token endpoint (HTTP Basic key:secret)."""
        c = self.credentials
        expected = base64.b64encode(f"{c.trustpilot_key}:{c.trustpilot_secret}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, {}, {"fault": {"faultstring": "Invalid ApiKey"}}
        if "grant_type=client_credentials" not in body:
            return 400, {}, {"error": "unsupported_grant_type"}
        return (
            200,
            {},
            {"access_token": self.issue(), "expires_in": "359999", "token_type": "BearerToken"},
        )

    def page(self, items: list[Any], start: int) -> tuple[list[Any], int | None]:
        """``page_size`` items from ``start`` and the next start (``None``: last page)."""
        chunk = items[start : start + self.page_size]
        nxt = start + self.page_size
        return chunk, nxt if nxt < len(items) else None

    # --- App Store Connect ---------------------------------------------------------------
    def apple_api(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        """customerReviews (list) and customerReviewResponses (create, delete)."""
        if method == "GET" and path.endswith("/customerReviews"):
            start = int(query.get("cursor") or 0)
            chunk, nxt = self.page(self.state.apple, start)
            included = []
            data = []
            for review in chunk:
                review = json.loads(json.dumps(review))
                answer = self.state.apple_responses.get(review["id"])
                if answer and query.get("include") == "response":
                    included.append(answer)
                    review["relationships"] = {
                        "response": {
                            "data": {"type": "customerReviewResponses", "id": answer["id"]}
                        }
                    }
                data.append(review)
            links = {"self": APPLE_HOST + path}
            if nxt is not None:
                links["next"] = (
                    f"{APPLE_HOST}{path}?cursor={nxt}&include=response&limit={query.get('limit')}&sort=-createdDate"
                )
            answer = {
                "data": data,
                "links": links,
                "meta": {"paging": {"total": len(self.state.apple), "limit": self.page_size}},
            }
            if included:
                answer["included"] = included
            return 200, {}, answer
        if method == "POST" and path == "/v1/customerReviewResponses":
            try:
                data = body["data"]
                assert data["type"] == "customerReviewResponses"
                text = data["attributes"]["responseBody"]
                review = data["relationships"]["review"]["data"]
                assert review["type"] == "customerReviews"
            except (KeyError, TypeError, AssertionError):
                return 409, {}, error_body("apple", 409, "The provided entity is invalid")
            if review["id"] in self.state.deleted or not any(
                r["id"] == review["id"] for r in self.state.apple
            ):
                return (
                    404,
                    {},
                    error_body(
                        "apple", 404, "There is no resource of type 'customerReviews' with id"
                    ),
                )
            resource = {
                "type": "customerReviewResponses",
                "id": "resp-" + secrets.token_hex(6),
                "attributes": {
                    "responseBody": text,
                    "lastModifiedDate": iso(time.time()),
                    "state": "PENDING_PUBLISH",
                },
            }
            self.state.apple_responses[review["id"]] = resource
            return (
                201,
                {},
                {
                    "data": resource,
                    "links": {"self": f"{APPLE_HOST}/v1/customerReviewResponses/{resource['id']}"},
                },
            )
        if (
            method == "GET"
            and path.startswith("/v1/customerReviews/")
            and path.endswith("/response")
        ):
            review_id = path.split("/")[3]
            current = self.state.apple_responses.get(review_id)
            if current is None or review_id in self.state.deleted:
                return 404, {}, error_body("apple", 404, "There is no response for this review")
            return 200, {}, {"data": current}
        if method == "DELETE" and path.startswith("/v1/customerReviewResponses/"):
            rid = path.rsplit("/", 1)[1]
            for review_id, resource in list(self.state.apple_responses.items()):
                if resource["id"] == rid:
                    del self.state.apple_responses[review_id]
                    return 204, {}, None
            return (
                404,
                {},
                error_body(
                    "apple",
                    404,
                    f"There is no resource of type 'customerReviewResponses' with id '{rid}'",
                ),
            )
        return (
            404,
            {},
            error_body("apple", 404, "The path provided does not match a defined resource type."),
        )

    # --- Google Play ---------------------------------------------------------------------
    def play_api(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        """reviews.list and reviews.reply."""
        if method == "GET" and path.endswith("/reviews"):
            chunk, nxt = self.page(self.state.play, int(query.get("token") or 0))
            answer: dict[str, Any] = {"reviews": chunk}
            if nxt is not None:
                answer["tokenPagination"] = {"nextPageToken": str(nxt)}
            return 200, {}, answer
        if method == "GET" and "/reviews/" in path:
            review_id = path.rsplit("/", 1)[1]
            found = next((r for r in self.state.play if r["reviewId"] == review_id), None)
            if found is None or review_id in self.state.deleted:
                return 404, {}, error_body("play", 404, "Review not found.")
            return 200, {}, found
        if method == "POST" and path.endswith(":reply"):
            review_id = path.rsplit("/", 1)[1].removesuffix(":reply")
            review = next((r for r in self.state.play if r["reviewId"] == review_id), None)
            if review is None or review_id in self.state.deleted:
                return 404, {}, error_body("play", 404, "Review not found.")
            if not isinstance(body, dict) or not body.get("replyText"):
                return 400, {}, error_body("play", 400, "Reply text is empty.")
            now = int(time.time())
            review["comments"] = [c for c in review["comments"] if "userComment" in c] + [
                {
                    "developerComment": {
                        "text": body["replyText"],
                        "lastModified": {"seconds": str(now)},
                    }
                }
            ]
            return (
                200,
                {},
                {
                    "result": {
                        "replyText": body["replyText"],
                        "lastEdited": {"seconds": str(now), "nanos": 0},
                    }
                },
            )
        return 404, {}, error_body("play", 404, "Not found")

    # --- Google Business Profile ---------------------------------------------------------
    def business_api(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        """accounts.locations.reviews list, updateReply and deleteReply."""
        bits = path.strip("/").split("/")  # v4 accounts A locations L reviews [R reply]
        if len(bits) < 6 or bits[1] != "accounts" or bits[3] != "locations":
            return 404, {}, error_body("business", 404, "Requested entity was not found.")
        reviews = self.state.business.get(bits[4])
        if reviews is None:
            return 404, {}, error_body("business", 404, "Requested entity was not found.")
        if method == "GET" and len(bits) == 6:
            chunk, nxt = self.page(reviews, int(query.get("pageToken") or 0))
            answer: dict[str, Any] = {
                "reviews": chunk,
                "averageRating": 4.2,
                "totalReviewCount": len(reviews),
            }
            if nxt is not None:
                answer["nextPageToken"] = str(nxt)
            return 200, {}, answer
        if method == "GET" and len(bits) == 7:
            found = next((r for r in reviews if r["reviewId"] == bits[6]), None)
            if found is None or bits[6] in self.state.deleted:
                return 404, {}, error_body("business", 404, "Requested entity was not found.")
            return 200, {}, found
        if len(bits) == 8 and bits[7] == "reply":
            review = next((r for r in reviews if r["reviewId"] == bits[6]), None)
            if review is None or bits[6] in self.state.deleted:
                return 404, {}, error_body("business", 404, "Requested entity was not found.")
            if method == "PUT":
                if not isinstance(body, dict) or not body.get("comment"):
                    return (
                        400,
                        {},
                        error_body("business", 400, "Request contains an invalid argument."),
                    )
                review["reviewReply"] = {"comment": body["comment"], "updateTime": iso(time.time())}
                return 200, {}, review["reviewReply"]
            if method == "DELETE":
                review.pop("reviewReply", None)
                return 200, {}, {}
        return 404, {}, error_body("business", 404, "Requested entity was not found.")

    # --- Trustpilot ----------------------------------------------------------------------
    def trustpilot_api(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        """business-unit reviews (list) and review replies (create, delete)."""
        if method == "GET" and path.endswith("/reviews"):
            page = int(query.get("page") or 1)
            chunk, nxt = self.page(self.state.trustpilot, (page - 1) * self.page_size)
            links = [{"href": self.url(path), "method": "GET", "rel": "self"}]
            if nxt is not None:
                links.append(
                    {
                        "href": self.url(f"{path}?page={page + 1}"),
                        "method": "GET",
                        "rel": "next-page",
                    }
                )
            return 200, {}, {"reviews": chunk, "links": links}
        if method == "GET" and path.startswith("/v1/private/reviews/") and path.count("/") == 4:
            review_id = path.rsplit("/", 1)[1]
            found = next((r for r in self.state.trustpilot if r["id"] == review_id), None)
            if found is None or review_id in self.state.deleted:
                return 404, {}, error_body("trustpilot", 404, "Review not found")
            return 200, {}, found
        if path.startswith("/v1/private/reviews/") and path.endswith("/reply"):
            review_id = path.split("/")[4]
            review = next((r for r in self.state.trustpilot if r["id"] == review_id), None)
            if review is None or review_id in self.state.deleted:
                return 404, {}, error_body("trustpilot", 404, "Review not found")
            if method == "POST":
                if (
                    not isinstance(body, dict)
                    or not body.get("message")
                    or not body.get("authorBusinessUserId")
                ):
                    return (
                        400,
                        {},
                        error_body(
                            "trustpilot", 400, "message and authorBusinessUserId are required"
                        ),
                    )
                review["companyReply"] = {
                    "text": body["message"],
                    "authorBusinessUserId": body["authorBusinessUserId"],
                    "createdAt": iso(time.time()),
                }
                return 201, {}, None
            if method == "DELETE":
                review.pop("companyReply", None)
                return 204, {}, None
        return 404, {}, error_body("trustpilot", 404, "Not found")


@dataclass
class OwnerKeys:
    """Fresh key pairs: the public halves for the server, the private ones for Grapevine."""

    credentials: Credentials
    apple_p8: str
    google_pem: str

    def environ(self, api: FakeOwnerApis) -> dict[str, str]:
        """The environment a source's ``*_env`` keys name (the Google key points at ``api``)."""
        c = self.credentials
        service_account = {
            "type": "service_account",
            "project_id": "grapevine-test",
            "private_key_id": "0123456789abcdef",
            "private_key": self.google_pem,
            "client_email": c.google_client_email,
            "token_uri": api.url("/token"),
        }
        return {
            "ASC_KEY_ID": c.apple_key_id,
            "ASC_ISSUER_ID": c.apple_issuer_id,
            "ASC_P8": self.apple_p8,
            "GOOGLE_SA_JSON": json.dumps(service_account),
            "TP_API_KEY": c.trustpilot_key,
            "TP_API_SECRET": c.trustpilot_secret,
        }


def make_keys() -> OwnerKeys:
    """An EC P-256 key (an App Store Connect ``.p8``) and an RSA key (a service account)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    pkcs8 = serialization.PrivateFormat.PKCS8
    pem = serialization.Encoding.PEM
    none = serialization.NoEncryption()
    apple = ec.generate_private_key(ec.SECP256R1())
    google = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    creds = Credentials(apple_public_key=apple.public_key(), google_public_key=google.public_key())
    return OwnerKeys(
        creds,
        apple.private_bytes(pem, pkcs8, none).decode(),
        google.private_bytes(pem, pkcs8, none).decode(),
    )


SOURCES: dict[str, dict[str, Any]] = {
    "appstore_connect": {
        "app_id": "1234567890",
        "key_id_env": "ASC_KEY_ID",
        "issuer_id_env": "ASC_ISSUER_ID",
        "private_key_env": "ASC_P8",
    },
    "googleplay": {"package_name": "com.calo.app", "service_account_env": "GOOGLE_SA_JSON"},
    "googlebusiness": {
        "account_id": "1098765",
        "location_ids": ["4455"],
        "service_account_env": "GOOGLE_SA_JSON",
    },
    "trustpilot_business": {
        "business_unit_id": "5b3c8e9f0a1b2c3d4e5f6a7b",
        "business_user_id": "5b3c8e9f0a1b2c3d4e5f0001",
        "api_key_env": "TP_API_KEY",
        "api_secret_env": "TP_API_SECRET",
    },
}


def source(kind: str, api: FakeOwnerApis, **extra: Any) -> dict[str, Any]:
    """The config of a ``kind`` source on ``api`` (as ``model_dump`` gives it)."""
    return {"name": f"own-{kind}", "type": kind, "base_url": api.base_url, **SOURCES[kind], **extra}


def seed(api: FakeOwnerApis, count: int = 5, start: float | None = None) -> None:
    """``count`` reviews on each platform, newest first, the second one answered."""
    now = start or time.time() - 3600
    s = api.state
    for i in range(count):
        ts = now - i * 600
        answered = i == 1
        s.apple.append(
            {
                "type": "customerReviews",
                "id": f"apple-{i}",
                "attributes": {
                    "rating": 1 + i % 5,
                    "title": f"Title {i}",
                    "body": f"The app crashed on login, try {i}",
                    "reviewerNickname": f"nick{i}",
                    "createdDate": iso(ts),
                    "territory": "USA",
                },
            }
        )
        if answered:
            s.apple_responses[f"apple-{i}"] = {
                "type": "customerReviewResponses",
                "id": "resp-old",
                "attributes": {
                    "responseBody": "Sorry, fixed in 2.1",
                    "lastModifiedDate": iso(ts + 60),
                    "state": "PUBLISHED",
                },
            }
        comments: list[dict[str, Any]] = [
            {
                "userComment": {
                    "text": ("Slow refund" if i == 0 else "")
                    + f"\tRefund still missing after {i} weeks",
                    "lastModified": {"seconds": str(int(ts))},
                    "starRating": 1 + i % 5,
                    "reviewerLanguage": "en_GB",
                    "thumbsUpCount": i,
                }
            }
        ]
        if answered:
            comments.append(
                {
                    "developerComment": {
                        "text": "We refunded you today",
                        "lastModified": {"seconds": str(int(ts) + 60)},
                    }
                }
            )
        s.play.append({"reviewId": f"gp:{i}", "authorName": f"Play user {i}", "comments": comments})
        g = {
            "name": f"accounts/1098765/locations/4455/reviews/g{i}",
            "reviewId": f"g{i}",
            "reviewer": {"displayName": f"Guest {i}"},
            "starRating": ["ONE", "TWO", "THREE", "FOUR", "FIVE"][i % 5],
            "comment": f"Cold food at the counter, visit {i}",
            "createTime": iso(ts),
            "updateTime": iso(ts),
        }
        if i == 4:  # stars only, as many Google reviews are
            del g["comment"]
        if answered:
            g["reviewReply"] = {"comment": "Thanks for telling us", "updateTime": iso(ts + 60)}
        s.business.setdefault("4455", []).append(g)
        t = {
            "id": f"{i:024x}",
            "consumer": {"id": f"c{i}", "displayName": f"Consumer {i}"},
            "stars": 1 + i % 5,
            "title": f"Delivery {i}",
            "text": f"The courier never came, order {i}",
            "language": "en",
            "createdAt": iso(ts),
            "updatedAt": None,
        }
        if answered:
            t["companyReply"] = {"text": "We are on it", "createdAt": iso(ts + 60)}
        s.trustpilot.append(t)
