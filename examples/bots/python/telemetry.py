"""Log lines (INFO/ERROR on stdout, one per line, flushed) and optional StatsD over UDP."""
import socket
import sys
import time


class Telemetry:
    def __init__(self, statsd):
        self._statsd = None
        self._socket = None
        if statsd:
            host, _, port = statsd.rpartition(':')
            if not host or not port.isdigit():
                raise ValueError(f'DRYDOCK_STATSD must be host:port, got "{statsd}"')
            self._statsd = (host, int(port))
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def info(self, message):
        self._line('INFO', message)

    def error(self, message):
        self._line('ERROR', message)
        self._send('bot.errors:1|c')

    def cycle(self, ms):
        self._send(f'bot.cycle:{ms:.1f}|ms')

    def _line(self, level, message):
        stamp = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())
        sys.stdout.write(f'{stamp} {level} {message}\n')
        sys.stdout.flush()

    def _send(self, line):
        if self._socket is None:
            return
        try:
            self._socket.sendto(line.encode(), self._statsd)
        except OSError:
            pass  # metrics are best effort: never let them take the bot down
