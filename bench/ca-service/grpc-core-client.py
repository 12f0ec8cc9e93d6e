#!/usr/bin/python3
"""Fixed-rate load on the CA API's Renew from gRPC's C core (Debian's python3-grpcio).

Why a second load client: the Node load client shares the 2 cores with the server and
its own scavenges (3-10 ms about once a second) delay the calls it has in flight, so its
p99 measures the client as much as the CA. gRPC's C core has no collector; Python's
reference counting frees as it goes. Same calls, same pooled mTLS channels (one per
workload identity), same open-loop schedule, same percentile rule as the Node bench.

Input: a JSON file (argv[1]) written by issue-over-grpc.bench.ts:
  {address, rootPem, identities: [{chainPem, keyPem}], csrs: [base64 DER], path,
   rate, seconds, warmup}
Output on stdout: `warm` once the warm-up calls are done, then one JSON line: {count, failed, seconds, p50, p99, max, cpuSeconds}.
Bench only; loopback only (the address comes from the control plane it started).
"""
import json
import os
import sys
import threading
import time

import grpc


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)
    root = cfg["rootPem"].encode()
    channels = []
    for ident in cfg["identities"]:
        creds = grpc.ssl_channel_credentials(root, ident["keyPem"].encode(), ident["chainPem"].encode())
        # The server's SVID names localhost (an IP literal is no TLS server name), as caClient checks it;
        # a local subchannel pool keeps one connection per channel, as the Node clients pool them.
        options = [("grpc.ssl_target_name_override", "localhost"), ("grpc.use_local_subchannel_pool", 1)]
        channels.append(grpc.secure_channel(cfg["address"], creds, options=options))
    # No serializer: the request is the protocol's JSON, as bytes; grpc frames it.
    calls = [ch.unary_unary(cfg["path"]) for ch in channels]
    bodies = [json.dumps({"csrDer": c}).encode() for c in cfg["csrs"]]
    pool = len(calls)

    for i in range(cfg["warmup"]):  # connections, TLS, the server's JIT
        calls[i % pool](bodies[i % len(bodies)], timeout=5)
    print("warm", flush=True)

    rate, seconds = cfg["rate"], cfg["seconds"]
    total = int(rate * seconds)
    latencies = [0.0] * total
    failed = [0]
    answered = [0]
    done = threading.Event()
    lock = threading.Lock()

    def finish(i: int, sent_at: float):
        def callback(fut: grpc.Future) -> None:
            ms = (time.perf_counter() - sent_at) * 1000
            with lock:
                latencies[i] = ms
                if fut.code() != grpc.StatusCode.OK:
                    failed[0] += 1
                answered[0] += 1
                if answered[0] == total:
                    done.set()
        return callback

    cpu0 = time.process_time()
    start = time.perf_counter()
    for i in range(total):
        wait = start + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        sent_at = time.perf_counter()
        fut = calls[i % pool].future(bodies[i % len(bodies)], timeout=5)
        fut.add_done_callback(finish(i, sent_at))
    done.wait(timeout=seconds + 10)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    with lock:
        got = sorted(latencies[: answered[0]]) if answered[0] == total else sorted(x for x in latencies if x > 0)
    pct = lambda p: got[min(len(got) - 1, int(len(got) * p))] if got else float("nan")
    print(json.dumps({"count": len(got), "failed": failed[0] + total - len(got), "seconds": elapsed,
                      "p50": pct(0.5), "p99": pct(0.99), "max": got[-1] if got else float("nan"), "cpuSeconds": cpu}))
    for ch in channels:
        ch.close()
    sys.stdout.flush()
    os._exit(0)  # grpc's threads may hold the interpreter open after close


if __name__ == "__main__":
    main()
