"""Signed REST calls to a Binance-compatible venue (HMAC-SHA256), honouring Retry-After on 429/418."""
import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests


class VenueError(Exception):
    def __init__(self, status, code, msg):
        super().__init__(f'HTTP {status} code {code}: {msg}')
        self.status = status
        self.code = code


class Interrupted(VenueError):
    """A wait inside a Retry-After window was cut short (the bot is stopping)."""

    def __init__(self):
        super().__init__(0, None, 'interrupted inside a Retry-After window')


class RateLimited(VenueError):
    def __init__(self, status, code, msg, retry_after):
        super().__init__(status, code, msg)
        self.retry_after = retry_after


class Venue:
    """One session to the venue. Waits inside a Retry-After window end early when `interrupt` (a
    threading.Event) is set; swap in a fresh Event to wait the window out (e.g. to cancel at shutdown).

    With honour_retry_after=False (the `ignore-retry-after` fault) a 429 is retried after 100 ms,
    again and again — the behaviour that earns a real bot a 418 ban.
    """

    def __init__(self, rest_url, api_key, api_secret, log, interrupt, honour_retry_after=True):
        self._base = rest_url.rstrip('/')
        self._secret = api_secret.encode()
        self._log = log
        self.interrupt = interrupt
        self._honour = honour_retry_after
        self._not_before = 0.0
        self._session = requests.Session()
        self._session.headers['X-MBX-APIKEY'] = api_key

    def public(self, method, path, **params):
        return self._call(method, path, params, signed=False)

    def signed(self, method, path, **params):
        return self._call(method, path, params, signed=True)

    def backoff_remaining(self):
        return max(0.0, self._not_before - time.time())

    def _call(self, method, path, params, signed):
        while True:
            wait = self.backoff_remaining()
            # Inside a Retry-After window: send nothing until it ends (or we are interrupted).
            if wait > 0 and self.interrupt.wait(wait):
                raise Interrupted()
            try:
                return self._send(method, path, params, signed)
            except RateLimited as limited:
                if self._honour:
                    self._not_before = time.time() + limited.retry_after
                    raise
                self._log.error(f'{method} {path} rate limited ({limited}); retrying right away')
                if self.interrupt.wait(0.1):
                    raise Interrupted() from limited

    def _send(self, method, path, params, signed):
        query = dict(params)
        if signed:
            query['timestamp'] = int(time.time() * 1000)
            query['recvWindow'] = 5000
        text = urlencode(query)
        if signed:
            text += '&signature=' + hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()
        response = self._session.request(method, f'{self._base}{path}?{text}', timeout=10)
        if response.status_code < 400:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        code, msg = body.get('code'), body.get('msg', response.reason)
        if response.status_code in (418, 429):
            retry_after = float(response.headers.get('Retry-After', '1') or 1)
            raise RateLimited(response.status_code, code, msg, retry_after)
        raise VenueError(response.status_code, code, msg)
