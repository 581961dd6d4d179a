"""An SMTP server for the tests: it accepts every message and keeps it whole.

Usage: smtp_sink.py PORT DIR

Each message is written as DIR/N.eml (the bytes as received, N = 1, 2, ...),
after DIR/N.envelope.json ({"mail_from": ..., "rcpt_tos": [...]}); the .eml
appears by a rename, so a reader never sees half a message. Prints
"READY <port>" once listening. Stops on SIGTERM, or when its standard input
closes (the test process is gone).
"""

import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    def _write(self, name, data):
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.directory, name))

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        self._write(f"{n}.envelope.json", json.dumps(meta).encode())
        self._write(f"{n}.eml", envelope.original_content)
        print(f"RECEIVED {n}", flush=True)
        return "250 Message accepted for delivery"


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"READY {port}", flush=True)
    try:
        sys.stdin.read()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
