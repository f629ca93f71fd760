#!/usr/bin/python3
"""Verify the messages of a bench/genmbox mbox with dkimpy and report msgs/s.

    /usr/bin/python3 bench/dkimpy/verify_mbox.py --keys DIR/keys.jsonl \
        --limit 2000 DIR/bench.mbox

Needs python3-dkim (and python3-nacl for Ed25519), as Debian packages them:
`apt-get install -y python3-dkim`. Run it with /usr/bin/python3, from any
directory (the script's own folder, not the working directory, is first on
sys.path, so the repo's dkim/ folder does not shadow the module).

Each message is split from the mbox at its separator line, its LF line
endings made CRLF (as leakproof does before verifying), and checked with
dkim.verify; key records come from the key file, never DNS. Timing covers
dkim.verify alone (one core, one process), not reading the file, in wall
and in CPU seconds (steadier on a shared machine). The result line is
machine-readable (one line):

    dkimpy messages=N pass=P fail=F seconds=S cpu_seconds=C msgs_per_s=R
    msgs_per_cpu_s=Q mb_per_s=M
"""

import argparse
import json
import sys
import time

import dkim


def read_keys(path):
    """Return {b"selector._domainkey.domain.": b"txt"} from a key file."""
    keys = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec.get("txt") is None:
                continue
            name = "%s._domainkey.%s." % (rec["selector"], rec["domain"])
            keys[name.lower().encode()] = rec["txt"].encode()
    return keys


def messages(path, limit):
    """Yield the messages of an mbox, CRLF, up to limit (0: all)."""
    n = 0
    cur = None
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"From ") and (cur is None or not cur or cur[-1] == b"\r\n"):
                if cur is not None:
                    yield b"".join(cur)
                    n += 1
                    if limit and n >= limit:
                        return
                cur = []
                continue
            if cur is None:
                continue
            cur.append(line.rstrip(b"\r\n") + b"\r\n" if line.endswith(b"\n") else line)
    if cur is not None and (not limit or n < limit):
        yield b"".join(cur)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", required=True, help="key file (JSON Lines)")
    ap.add_argument("--limit", type=int, default=2000, help="messages to verify (0: all)")
    ap.add_argument("mbox")
    args = ap.parse_args()

    keys = read_keys(args.keys)

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower())

    msgs = list(messages(args.mbox, args.limit))
    if not msgs:
        print("dkimpy: no messages in %s" % args.mbox, file=sys.stderr)
        return 1
    passed = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for m in msgs:
        if dkim.verify(m, dnsfunc=dnsfunc):
            passed += 1
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = sum(len(m) for m in msgs)
    print("dkimpy messages=%d pass=%d fail=%d seconds=%.3f cpu_seconds=%.3f msgs_per_s=%.0f"
          " msgs_per_cpu_s=%.0f mb_per_s=%.2f"
          % (len(msgs), passed, len(msgs) - passed, secs, cpu, len(msgs) / secs,
             len(msgs) / cpu, size / secs / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
