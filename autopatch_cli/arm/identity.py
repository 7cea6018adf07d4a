"""A managed-identity token endpoint, App Service style, so the stock az signs in without Microsoft.

``autopatch az-env`` sets ``IDENTITY_ENDPOINT`` to ``{server}/msi/token`` and ``IDENTITY_HEADER`` to a
secret; az (through MSAL) then asks ``GET /msi/token?resource=...&api-version=2019-08-01`` with the header
``X-IDENTITY-HEADER`` and sends the ``access_token`` it gets as its bearer token to every ARM call.

The secret: when serve runs with ``--require-token T``, the header must be ``T`` (the identity endpoint
never gives a token to someone who does not already hold the secret) and the token handed out is ``T``
itself when ``T`` is JWT-shaped, else the unsigned JWT-shaped token below carrying ``T`` in a claim of its
own: ``az login --identity`` decodes the token's claims and fails on any other string ("Not enough
segments"), and the server takes either ``T`` or that token as the bearer token. Without a token any
non-empty header is taken (the emulator has no real authentication then) and the token is the unsigned,
JWT-shaped string carrying the store's tenant and the identity's object id, the claims az reads.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qsl, urlsplit

from ..errors import method_not_allowed
from .framework import ArmResponse, error_response, json_response

TOKEN_PATH = "/msi/token"
TOKEN_LIFETIME = 24 * 3600
# The identity's object id in the tokens and in az's profile: a fixed, recognisable GUID.
PRINCIPAL_ID = "a0a0a0a0-0000-4000-8000-00000000aa01"
ARM_AUDIENCE = "https://management.core.windows.net/"


def is_token_request(path: str) -> bool:
    return urlsplit(path).path.rstrip("/").lower() == TOKEN_PATH


def answer(router, required_token: str | None, method: str, path: str, headers: dict[str, str]) -> ArmResponse:
    """The token response App Service's identity endpoint gives, or its 400/401 refusal."""
    if method.upper() != "GET":
        return error_response(method_not_allowed(method, "The identity endpoint"))
    query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    secret = next((v for k, v in headers.items() if k.lower() == "x-identity-header"), "")
    if not secret:
        return _refuse(401, "The request is missing the X-IDENTITY-HEADER header (set IDENTITY_HEADER; see 'autopatch az-env').")
    if required_token is not None and secret != required_token:
        return _refuse(401, "The X-IDENTITY-HEADER header does not match: give 'autopatch az-env --token' the token "
                            "'autopatch serve --require-token' was started with.")
    resource = query.get("resource") or query.get("scope", "").removesuffix("/.default")
    if not resource:
        return _refuse(400, "The 'resource' query parameter is required.")
    now = int(time.time())
    tenant = router.reader().section("subscription")["tenantId"]
    if required_token is not None and _jwt_shaped(required_token):
        token = required_token
    else:
        token = unsigned_token(tenant, resource, now, required_token)
    return json_response(200, {
        "access_token": token,
        "expires_on": str(now + TOKEN_LIFETIME),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": PRINCIPAL_ID,
    })


# The claim that carries serve's --require-token in the tokens handed out for it.
SECRET_CLAIM = "autopatch_token"


def unsigned_token(tenant: str, audience: str, now: int, secret: str | None = None) -> str:
    """A JWT-shaped token (alg none): az decodes its claims; the server checks only ``secret``'s claim."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()

    claims = {
        "aud": audience, "iss": f"https://sts.windows.net/{tenant}/", "iat": now, "nbf": now,
        "exp": now + TOKEN_LIFETIME, "tid": tenant, "oid": PRINCIPAL_ID, "sub": PRINCIPAL_ID,
        "appid": PRINCIPAL_ID, "idtyp": "app", "ver": "1.0",
    }
    if secret is not None:
        claims[SECRET_CLAIM] = secret
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _jwt_shaped(token: str) -> bool:
    """Three dot-separated parts whose first two are base64url JSON objects (what az's JWT decoding reads)."""
    parts = token.split(".")
    return len(parts) == 3 and all(isinstance(_claims(p), dict) for p in parts[:2])


def _claims(part: str):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None


def token_matches(presented: str, required: str) -> bool:
    """Whether a bearer token is serve's --require-token: the token itself, or a token the identity
    endpoint handed out for it (the secret in its claim). Compared in constant time."""
    import hmac

    if hmac.compare_digest(presented.encode(), required.encode()):
        return True
    parts = presented.split(".")
    claims = _claims(parts[1]) if len(parts) == 3 else None
    secret = claims.get(SECRET_CLAIM) if isinstance(claims, dict) else None
    return isinstance(secret, str) and hmac.compare_digest(secret.encode(), required.encode())


def _refuse(status: int, message: str) -> ArmResponse:
    """App Service's identity endpoint answers errors as OAuth does."""
    return json_response(status, {"error": "invalid_request" if status == 400 else "unauthorized_client",
                                  "error_description": message, "statusCode": status, "message": message})
