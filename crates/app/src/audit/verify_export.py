#!/usr/bin/env python3
"""Verifies an export of the kaigo-pki audit trail without kaigo-pki: the hash chain of
records.jsonl, and every checkpoint (its signature with OpenSSL, and the record it names).
Usage: python3 verify.py EXPORT_DIR   — prints OK or the first problem, exits 0 only if OK."""
import hashlib, json, os, subprocess, sys

GENESIS = "0" * 64

def entry_hash(prev, r):
    h = hashlib.sha256(prev.encode() + b"kaigo-audit-v1")
    for f in (str(r["at"]), r["actor"], r["action"], r["object"], r["source"], r["detail"]):
        b = f.encode()
        h.update(len(b).to_bytes(8, "big") + b)
    return h.hexdigest()

def main(d):
    cps = [json.loads(l) for l in open(os.path.join(d, "checkpoints.jsonl"), encoding="utf-8")]
    for c in cps:
        msg = os.path.join(d, "checkpoints", "%d.msg" % c["id"])
        sig = os.path.join(d, "checkpoints", "%d.sig" % c["id"])
        want = "kaigo-audit-checkpoint-v1\nlast_id=%d\nlast_hash=%s\nat=%d\n" % (
            c["last_id"], c["last_hash"], c["at"])
        if open(msg, "rb").read() != want.encode():
            return "checkpoint %d: its message file does not say what it names" % c["id"]
        ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                             os.path.join(d, "audit.pub.pem"), "-signature", sig, msg],
                            capture_output=True).returncode == 0
        if not ok:
            return "checkpoint %d has a signature the audit key did not make" % c["id"]
    named = {}
    for c in cps:
        named.setdefault(c["last_id"], []).append(c)
    prev, last, seen = GENESIS, 0, set()
    for line in open(os.path.join(d, "records.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        if entry_hash(r["prev_hash"], r) != r["hash"]:
            return "record %d was altered" % r["id"]
        if r["prev_hash"] != prev:
            return "record %d does not follow the record before it" % r["id"]
        for c in named.get(r["id"], []):
            if c["last_hash"] != r["hash"]:
                return "checkpoint %d names record %d with another hash" % (c["id"], r["id"])
        prev, last = r["hash"], r["id"]
        seen.add(r["id"])
    for c in sorted(cps, key=lambda c: c["last_id"]):
        if c["last_id"] not in seen:
            if c["last_id"] < last:
                return "checkpoint %d names record %d, which is gone" % (c["id"], c["last_id"])
            return "cut off after record %d: checkpoint %d names record %d" % (last, c["id"], c["last_id"])
    newest = max((c["last_id"] for c in cps), default=0)
    print("OK: %d records, %d checkpoints, %d records after the newest checkpoint"
          % (len(seen), len(cps), len([i for i in seen if i > newest])))
    return None

if __name__ == "__main__":
    problem = main(sys.argv[1])
    if problem:
        print("FAILED: " + problem)
        sys.exit(1)
