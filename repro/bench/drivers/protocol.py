"""The drivers' request loop (imported by path: the peers' interpreters have no repro package)."""
import json
import sys


def serve(ops, hello):
    """One JSON request per stdin line -> one JSON reply per stdout line; errors become replies."""
    # the packages print (progress, notices): stdout is the reply channel, so they get stderr
    replies, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        req = json.loads(line)
        try:
            out = hello() if req["op"] == "hello" else ops[req["op"]](req)
        except Exception as exc:  # noqa: BLE001 - reported to the bench, which records it per row
            out = {"error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(out) + "\n")
        replies.flush()
