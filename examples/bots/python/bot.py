#!/usr/bin/python3
"""drydock example bot (Python): a small market maker for a Binance-compatible venue.

Reads the environment drydock gives a system under test (DRYDOCK_REST_URL, DRYDOCK_WS_URL,
DRYDOCK_WS_API_URL, DRYDOCK_API_KEY, DRYDOCK_API_SECRET, DRYDOCK_SYMBOLS, DRYDOCK_STATSD), follows the
bookTicker and trade streams of its symbols, and every cycle replaces its resting limit order on one
symbol with a new one near the book. On SIGTERM it cancels its open orders and exits 0.

  /usr/bin/python3 examples/bots/python/bot.py [--fault leak|orphans|ignore-retry-after|no-resubscribe|crash]
      [--cycle-seconds 10]

Tuning (environment): BOT_FAULT, BOT_CYCLE_SECONDS (10: six orders a minute), BOT_NOTIONAL (20 quote
units an order), BOT_OFFSET_BPS (10: distance from the touch), BOT_LEAK_MB_PER_MIN (10),
BOT_CRASH_AFTER (6 cycles: a minute). Needs python3-requests and python3-websockets (Debian packages).
"""
import argparse
import os
import signal
import sys
import threading
import time

# Sibling modules by path, wherever it is started from; no bytecode files left in the example folder.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faults import FAULTS, Leak  # noqa: E402
from quoting import Rules, quote  # noqa: E402
from streams import Book, MarketStream  # noqa: E402
from telemetry import Telemetry  # noqa: E402
from venue import Interrupted, RateLimited, Venue, VenueError  # noqa: E402

# How long shutdown may wait out a Retry-After window before giving up on cancelling (drydock's stop timeout is 10 s).
SHUTDOWN_WAIT_LIMIT = 8.0


def config():
    parser = argparse.ArgumentParser(description='drydock example market-making bot')
    parser.add_argument('--fault', choices=FAULTS, default=os.environ.get('BOT_FAULT') or None)
    parser.add_argument('--cycle-seconds', type=float, default=float(os.environ.get('BOT_CYCLE_SECONDS', '10')))
    args = parser.parse_args()
    missing = [name for name in ('DRYDOCK_REST_URL', 'DRYDOCK_WS_URL', 'DRYDOCK_API_KEY', 'DRYDOCK_API_SECRET') if not os.environ.get(name)]
    if missing:
        parser.error(f'missing environment variable(s): {", ".join(missing)} (drydock run --sut sets them)')
    if args.fault is not None and args.fault not in FAULTS:
        parser.error(f'BOT_FAULT "{args.fault}" is not one of {", ".join(FAULTS)}')
    args.symbols = [s.strip().upper() for s in os.environ.get('DRYDOCK_SYMBOLS', 'BTCUSDT,ETHUSDT').split(',') if s.strip()]
    return args


class Bot:
    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.stop = threading.Event()
        self.venue = Venue(os.environ['DRYDOCK_REST_URL'], os.environ['DRYDOCK_API_KEY'], os.environ['DRYDOCK_API_SECRET'], log, self.stop,
                           honour_retry_after=args.fault != 'ignore-retry-after')
        self.book = Book(args.symbols)
        self.stream = MarketStream(os.environ['DRYDOCK_WS_URL'], args.symbols, self.book, log, resubscribe=args.fault != 'no-resubscribe')
        self.resting = {}  # symbol -> clientOrderId of our order on it
        self.cycles = 0
        self.notional = float(os.environ.get('BOT_NOTIONAL', '20'))
        self.offset_bps = float(os.environ.get('BOT_OFFSET_BPS', '10'))
        self.crash_after = int(os.environ.get('BOT_CRASH_AFTER', '6'))

    def run(self):
        self.log.info(f'starting: symbols {",".join(self.args.symbols)}, a cycle every {self.args.cycle_seconds} s, '
                      f'fault {self.args.fault or "none"}, REST {os.environ["DRYDOCK_REST_URL"]}, '
                      f'WS API {os.environ.get("DRYDOCK_WS_API_URL", "-")} (unused)')
        self.rules = Rules(self.call(lambda: self.venue.public('GET', '/api/v3/exchangeInfo')) or {})
        if self.args.fault == 'leak':
            Leak(float(os.environ.get('BOT_LEAK_MB_PER_MIN', '10'))).start()
        self.stream.start()
        while not self.stop.is_set():
            self.cycle(self.args.symbols[self.cycles % len(self.args.symbols)])
            self.stop.wait(self.args.cycle_seconds)
        return self.shutdown()

    def call(self, request, gone_ok=False):
        """One venue call; errors are logged lines (and bot.errors), never the end of the bot.
        gone_ok: -2011 (unknown order: already filled or canceled) is an answer, not an error."""
        try:
            return request()
        except Interrupted:
            self.log.info('stopping: abandoned a call waiting out Retry-After')
        except RateLimited as limited:
            self.log.error(f'rate limited: {limited}; Retry-After {limited.retry_after:g} s, pausing REST')
        except VenueError as error:
            if gone_ok and error.code == -2011:
                return []
            self.log.error(f'venue refused: {error}')
        except Exception as error:  # network errors: the next cycle tries again
            self.log.error(f'request failed: {error!r}')
        return None

    def cycle(self, symbol):
        started = time.monotonic()
        self.cycles += 1
        if self.args.fault == 'crash' and self.cycles > self.crash_after:
            raise RuntimeError(f'deliberate crash after {self.crash_after} cycles (fault crash)')
        if not self.rules.knows(symbol):
            self.rules = Rules(self.call(lambda: self.venue.public('GET', '/api/v3/exchangeInfo')) or {})
            if not self.rules.knows(symbol):
                return
        previous = self.resting.get(symbol)
        if previous:
            if self.call(lambda: self.venue.signed('DELETE', '/api/v3/order', symbol=symbol, origClientOrderId=previous), gone_ok=True) is None:
                return  # not canceled: never stack a second order on top of it
            del self.resting[symbol]
        if not self.book.fresh(symbol):
            # No stream data yet (or the stream is gone): ask REST for the touch.
            ticker = self.call(lambda: self.venue.public('GET', '/api/v3/ticker/bookTicker', symbol=symbol))
            if not ticker:
                return
            self.book.on_book(symbol, float(ticker['bidPrice']), float(ticker['askPrice']))
        side, price, quantity = quote(symbol, self.book.bid[symbol], self.book.ask[symbol], self.book.average[symbol], self.rules, self.offset_bps, self.notional)
        client_id = f'ddpy-{os.getpid()}-{self.cycles}'
        placed = self.call(lambda: self.venue.signed('POST', '/api/v3/order', symbol=symbol, side=side, type='LIMIT', timeInForce='GTC',
                                                     quantity=quantity, price=price, newClientOrderId=client_id, newOrderRespType='ACK'))
        if placed:
            self.resting[symbol] = client_id
            self.log.info(f'placed {side} {quantity} {symbol} @ {price} ({client_id})')
        self.log.cycle((time.monotonic() - started) * 1000)

    def shutdown(self):
        if self.args.fault == 'orphans':
            self.log.info(f'stopping without cancelling {len(self.resting)} open order(s) (fault orphans)')
            return 0
        # Wait out a Retry-After window rather than hammer the venue on the way out.
        self.venue.interrupt = threading.Event()
        if self.venue.backoff_remaining() > SHUTDOWN_WAIT_LIMIT:
            self.log.error(f'inside a Retry-After window of {self.venue.backoff_remaining():.0f} s: cannot cancel open orders')
            return 1
        for symbol in self.args.symbols:
            canceled = self.call(lambda: self.venue.signed('DELETE', '/api/v3/openOrders', symbol=symbol), gone_ok=True)
            if canceled:
                self.log.info(f'canceled {len(canceled)} open order(s) on {symbol}')
        self.log.info('stopped')
        return 0


def main():
    args = config()
    log = Telemetry(os.environ.get('DRYDOCK_STATSD'))
    bot = Bot(args, log)

    def on_signal(number, _frame):
        log.info(f'received {signal.Signals(number).name}: stopping')
        bot.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sys.exit(bot.run())


if __name__ == '__main__':
    main()
