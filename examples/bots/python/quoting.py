"""What to quote: a small mean-reversion market maker. Sell just above the ask when the mid is above
its trade-price average, buy just below the bid otherwise; size is a fixed quote notional, rounded to
the symbol's filters so the venue accepts it."""
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


class Rules:
    def __init__(self, exchange_info):
        self.tick, self.step, self.min_notional = {}, {}, {}
        for entry in exchange_info.get('symbols', []):
            filters = {f['filterType']: f for f in entry.get('filters', [])}
            symbol = entry['symbol']
            self.tick[symbol] = Decimal(filters.get('PRICE_FILTER', {}).get('tickSize', '0.01')).normalize()
            self.step[symbol] = Decimal(filters.get('LOT_SIZE', {}).get('stepSize', '0.00001')).normalize()
            notional = filters.get('NOTIONAL') or filters.get('MIN_NOTIONAL') or {}
            self.min_notional[symbol] = Decimal(notional.get('minNotional', '5'))

    def knows(self, symbol):
        return symbol in self.tick


def quote(symbol, bid, ask, average, rules, offset_bps, notional):
    """Returns (side, price, quantity) as decimal strings."""
    mid = (bid + ask) / 2
    offset = Decimal(str(offset_bps)) / Decimal(10_000)
    tick, step = rules.tick[symbol], rules.step[symbol]
    if average is not None and mid > average:
        side = 'SELL'
        price = (Decimal(str(ask)) * (1 + offset) / tick).to_integral_value(ROUND_CEILING) * tick
    else:
        side = 'BUY'
        price = (Decimal(str(bid)) * (1 - offset) / tick).to_integral_value(ROUND_FLOOR) * tick
    wanted = max(Decimal(str(notional)), rules.min_notional[symbol] * Decimal('1.1'))
    quantity = (wanted / price / step).to_integral_value(ROUND_CEILING) * step
    return side, format(price.normalize(), 'f'), format(quantity.normalize(), 'f')
