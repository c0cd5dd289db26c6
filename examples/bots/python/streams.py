"""The market-stream connection: bookTicker and trade streams of our symbols, kept in `Book`.

Runs its own asyncio loop on a daemon thread. After a drop it reconnects with backoff and sends
SUBSCRIBE again for the same streams — unless built with resubscribe=False (the `no-resubscribe`
fault), which gives up on the first drop and trades on whatever prices it last saw.
"""
import asyncio
import json
import threading
import time

import websockets


class Book:
    """Best bid/ask and an exponential average of trade prices, per symbol (plain floats: GIL-safe)."""

    def __init__(self, symbols):
        self.bid = {s: None for s in symbols}
        self.ask = {s: None for s in symbols}
        self.updated = {s: 0.0 for s in symbols}
        self.average = {s: None for s in symbols}

    def on_book(self, symbol, bid, ask):
        self.bid[symbol], self.ask[symbol], self.updated[symbol] = bid, ask, time.time()

    def on_trade(self, symbol, price):
        previous = self.average[symbol]
        self.average[symbol] = price if previous is None else previous * 0.9 + price * 0.1

    def fresh(self, symbol, max_age=5.0):
        return self.bid.get(symbol) is not None and time.time() - self.updated[symbol] < max_age


class MarketStream(threading.Thread):
    def __init__(self, ws_url, symbols, book, log, resubscribe=True):
        super().__init__(name='market-stream', daemon=True)
        self._url = ws_url.rstrip('/') + '/ws'
        self._streams = [f'{s.lower()}@{kind}' for s in symbols for kind in ('bookTicker', 'trade')]
        self._book = book
        self._log = log
        self._resubscribe = resubscribe
        self.connects = 0

    def run(self):
        asyncio.run(self._loop())

    async def _loop(self):
        delay = 0.5
        while True:
            connected = False
            try:
                async with websockets.connect(self._url, ping_interval=20, ping_timeout=20, close_timeout=1) as ws:
                    connected = True
                    await ws.send(json.dumps({'method': 'SUBSCRIBE', 'params': self._streams, 'id': self.connects + 1}))
                    self.connects += 1
                    what = 'subscribed' if self.connects == 1 else 'reconnected and resubscribed'
                    self._log.info(f'market stream {what}: {",".join(self._streams)}')
                    delay = 0.5
                    async for raw in ws:
                        self._on_message(raw)
                self._log.error('market stream closed by the venue')
            except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as error:
                self._log.error(f'market stream {"dropped" if connected else "could not connect"}: {error!r}')
            if not self._resubscribe and self.connects > 0:
                self._log.error('market stream lost; not reconnecting (fault no-resubscribe)')
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _on_message(self, raw):
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict) or 'result' in message or 'error' in message:
            if isinstance(message, dict) and 'error' in message:
                self._log.error(f'subscription refused: {message["error"]}')
            return
        symbol = message.get('s')
        if symbol not in self._book.bid:
            return
        if message.get('e') == 'trade':
            self._book.on_trade(symbol, float(message['p']))
        elif 'b' in message and 'a' in message:
            self._book.on_book(symbol, float(message['b']), float(message['a']))
