"""A small load generator for when `ab` is missing: GET one address with a cookie from
`concurrency` threads until `total` answers; prints requests per second, the p99 in ms and the
number of answers other than 200. Run in its own process by bench/harness.py.

    .venv/bin/python bench/loadgen.py URL COOKIE TOTAL CONCURRENCY
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from urllib.parse import urlsplit


def main() -> None:
    url, cookie, total, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    parts = urlsplit(url)
    latencies: list[float] = []
    bad = 0
    lock = threading.Lock()
    remaining = [total]

    def worker() -> None:
        nonlocal bad
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            started = time.perf_counter()
            connection.request("GET", parts.path or "/", headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            connection.close()
            with lock:
                latencies.append(elapsed)
                bad += response.status != 200

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"{total / seconds:.1f} {p99:.0f} {bad}")


if __name__ == "__main__":
    main()
