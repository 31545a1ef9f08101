"""Load benchmark for POST /api/ask against a running server (not a test).

    HOIDAP_RATE_LIMIT_PER_MINUTE=1000000 HOIDAP_DATA_DIR=/tmp/hoidap-bench hoidap serve --port 8057 &
    .venv/bin/python bench/load_web.py --url http://127.0.0.1:8057 --clients 10 50 --seconds 20
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

QUESTIONS = [
    "Kế hoạch truyền thông năm 2025 có những nhiệm vụ nào?",
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "Cơ quan nào chủ trì thực hiện kế hoạch?",
    "Kinh phí thực hiện kế hoạch lấy từ đâu?",
    "Đồng Nai giao Sở Khoa học và Công nghệ nhiệm vụ gì?",
    "chuyen doi so o xa Nam Cuong",
    "Thời tiết hôm nay thế nào?",
]


async def client(http: httpx.AsyncClient, n: int, deadline: float, latencies: list[float], errors: list[str],
                 questions: list[str]):
    i = n
    while time.monotonic() < deadline:
        body = {"question": questions[i % len(questions)], "session_id": f"bench-{n}"}
        start = time.monotonic()
        try:
            r = await http.post("/api/ask", json=body)
            if r.status_code == 200:
                latencies.append(time.monotonic() - start)
            else:
                errors.append(str(r.status_code))
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        i += 1


async def run(url: str, clients: int, seconds: float, questions: list[str] = QUESTIONS) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        await http.post("/api/ask", json={"question": questions[0]})  # warm-up
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(client(http, n, deadline, latencies, errors, questions) for n in range(clients)))
        elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"clients": clients, "requests": len(latencies), "errors": len(errors),
            "rps": len(latencies) / elapsed, "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000,
            "error_kinds": sorted(set(errors))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8057")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for clients in args.clients:
        r = asyncio.run(run(args.url, clients, args.seconds))
        print(f"{r['clients']:>7} {r['requests']:>8} {r['errors']:>6} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} "
              f"{r['p95_ms']:>8.1f}" + (f"  ({', '.join(r['error_kinds'])})" if r["error_kinds"] else ""))


if __name__ == "__main__":
    main()
