"""Scripts run by the peers' own interpreters (no repro import there): one JSON request per line."""
