# Batch DKIM verifier for dkim/oracle_test.go: dkimpy (Debian python3-dkim).
# stdin: a first JSON line {"keys": {"sel._domainkey.dom": "TXT", ...}}, then
# one JSON line per message {"id": N, "msg": "<base64>"}. stdout: one JSON
# line per message {"id": N, "sigs": [{"d", "s", "r", "why"}]}, one entry per
# DKIM-Signature field top to bottom, r "pass" or "fail" (any other outcome);
# none when dkimpy cannot read the header.
# Keys come only from the first line: no network.
import base64
import json
import logging
import sys

import dkim
import dkim.util

logging.disable(logging.CRITICAL)
keys = {k.lower(): v.encode() for k, v in json.loads(sys.stdin.readline())["keys"].items()}


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    return keys.get(name.lower().rstrip("."))


for line in sys.stdin:
    req = json.loads(line)
    msg = base64.b64decode(req["msg"])
    sigs = []
    try:
        fields = [v for k, v in dkim.DKIM(msg).headers if k.lower() == b"dkim-signature"]
    except Exception:
        fields = []  # dkimpy cannot read the header: it sees no signature
    for idx, value in enumerate(fields):
        d = s = ""
        try:
            tags = dkim.util.parse_tag_value(value)
            d = tags.get(b"d", b"").decode("utf-8", "replace")
            s = tags.get(b"s", b"").decode("utf-8", "replace")
            ok = dkim.DKIM(msg).verify(idx=idx, dnsfunc=dnsfunc)
            r, why = ("pass", "") if ok else ("fail", "signature verification failed")
        except Exception as e:
            r, why = "fail", "%s: %s" % (type(e).__name__, e)
        sigs.append({"d": d, "s": s, "r": r, "why": why})
    sys.stdout.write(json.dumps({"id": req["id"], "sigs": sigs}) + "\n")
sys.stdout.flush()
