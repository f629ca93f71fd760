#!/usr/bin/env python3
"""Re-verify a message's DKIM signatures with dkimpy, offline.

Usage: python3 verify-dkimpy.py MESSAGE [KEYS]

dkimpy's dkimverify command asks DNS for each signature's key, and DNS shows
today's keys, not those in use when the mail was sent. This script calls the
library function that dkimverify calls, dkim.DKIM(message).verify(idx), with
a dnsfunc that answers from KEYS (keys.jsonl beside this script unless named)
and never touches the network. Everything else is dkimpy's own: parsing,
canonicalization, hashing, key checks.

It prints one line per DKIM-Signature field, top to bottom:

    DKIM-Signature 1 d=example.com s=sel: pass (signature ok)

then "pass", "fail" or "invalid", with dkimpy's words in parentheses. When
KEYS holds several records for a signature's name (a selector reused with a
new key), each is tried, as leakproof does, and the line names the one that
passed. The exit status is 0 when every signature passed, 1 when one did
not, 2 when the script could not run.
"""

import json
import logging
import os
import sys

try:
    import dkim
except ImportError:
    sys.stderr.write("verify-dkimpy.py: dkimpy is missing: apt-get install python3-dkim, or pip install dkimpy\n")
    sys.exit(2)


def read_keys(path):
    """Returns {lookup name: [TXT record, ...]}, in file order."""
    records = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("txt") is None:
                continue  # a recorded DNS failure: no record to serve
            name = (r["selector"] + "._domainkey." + r["domain"]).lower().rstrip(".")
            records.setdefault(name, []).append(r["txt"].encode("utf-8"))
    return records


class Collect(logging.Handler):
    """Keeps what dkimpy logs as errors: its reason for a False result."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def check(message, idx, txt):
    """Verifies signature idx with txt as its only key record (None: no
    record). Returns (outcome, dkimpy's words)."""
    log = logging.getLogger("verify-dkimpy.%d" % idx)
    log.propagate = False
    log.handlers = []
    errors = Collect()
    log.addHandler(errors)

    def dnsfunc(name, timeout=5):
        return txt

    try:
        ok = dkim.DKIM(message, logger=log).verify(idx=idx, dnsfunc=dnsfunc)
    except dkim.ValidationError as e:
        return "fail", str(e)
    except dkim.DKIMException as e:
        return "invalid", str(e)
    if ok:
        return "pass", "signature ok"
    if errors.messages:
        return "invalid", errors.messages[-1]
    return "fail", "signature verification failed"


def main():
    args = sys.argv[1:]
    if not 1 <= len(args) <= 2 or args[0].startswith("-"):
        sys.stderr.write("usage: python3 verify-dkimpy.py MESSAGE [KEYS]\n")
        return 2
    keys = args[1] if len(args) == 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys.jsonl")
    records = read_keys(keys)
    with open(args[0], "rb") as f:
        message = f.read()

    d = dkim.DKIM(message)
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print("no DKIM-Signature field")
        return 1
    status = 0
    for idx, value in enumerate(sigs):
        try:
            tags = dkim.util.parse_tag_value(value)
        except dkim.util.InvalidTagValueList as e:
            print("DKIM-Signature %d: invalid (%s)" % (idx + 1, e))
            status = 1
            continue
        domain = tags.get(b"d", b"").decode("utf-8", "replace")
        selector = tags.get(b"s", b"").decode("utf-8", "replace")
        name = (selector + "._domainkey." + domain).lower().rstrip(".")
        txts = records.get(name, [])
        if not txts:
            outcome, words = "invalid", "no key record for %s in %s" % (name, os.path.basename(keys))
        else:
            outcome, words = check(message, idx, txts[0])
            for n, txt in enumerate(txts[1:], start=2):
                if outcome == "pass":
                    break
                o, w = check(message, idx, txt)
                if o == "pass":
                    outcome, words = o, "%s, with key record %d of %d for %s" % (w, n, len(txts), name)
        print("DKIM-Signature %d d=%s s=%s: %s (%s)" % (idx + 1, domain, selector, outcome, words))
        if outcome != "pass":
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
