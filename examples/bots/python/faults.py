"""The deliberate faults, so a drydock soak has something to catch. Selected by --fault or BOT_FAULT."""
import threading
import time

FAULTS = ('leak', 'orphans', 'ignore-retry-after', 'no-resubscribe', 'crash')


class Leak(threading.Thread):
    """Keeps `mb_per_min` MB a minute reachable forever, written to so it counts in RSS."""

    def __init__(self, mb_per_min):
        super().__init__(name='leak', daemon=True)
        self._bytes_per_tick = int(mb_per_min * 1024 * 1024 / 60 / 4)
        self.kept = []

    def run(self):
        while True:
            self.kept.append(bytearray(b'\x01') * self._bytes_per_tick)
            time.sleep(0.25)
