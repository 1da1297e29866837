"""The bench's ratios (JSON ``ratios``) and its printed table."""

from __future__ import annotations

# issue 16's targets: speed-ups over the real peers (same threads), multiples of the floor
TARGETS = {"metric_vs_bsl": 30.0, "metric_vs_legacy": 50.0, "e2e_vs_peer": 10.0, "extraction_floor_multiple": 1.15,
           "peak_rss_mb_gpt2_cpu": 2048.0}


def ratios(report: dict) -> dict:
    out: dict = {"metric": {}, "e2e": {}, "floor_multiple": {}, "targets": TARGETS}
    for r in report.get("metric", []):
        key = f"{r['suite']}/{r['case']}"
        if "speedup_vs_peer" in r:
            out["metric"][key] = r["speedup_vs_peer"]
        out["floor_multiple"][f"metric/{key}"] = r["floor_multiple"]
    for r in report.get("e2e", []):
        key = f"{r['model']}/{r['suite']}"
        if "speedup_vs_peer" in r:
            out["e2e"][key] = r["speedup_vs_peer"]
        if "floor_multiple" in r:
            out["floor_multiple"][f"e2e/{key}"] = r["floor_multiple"]
            frac = r["floor"]["extraction_fraction_of_gemm"]
            if frac:
                out["floor_multiple"][f"extraction/{key}"] = 1.0 / frac
    return out


def _f(x, fmt="{:.2f}"):
    return "-" if x is None else fmt.format(x)


def table(report: dict) -> str:
    env = report["environment"]
    lines = [f"repro bench ({report['mode']}), {env['cores']} cores, {env['threads']} threads, load "
             f"{env['load_average'][0]:.1f}, numpy {env['numpy']}, torch {env['torch']}"]
    for g in report["floor"]["gemm"]:
        lines.append(f"floor: {g['dtype']} GEMM {'x'.join(map(str, g['shape']))}: {g['flops_per_s'] / 1e9:.0f} GFLOP/s")
    for key, p in report.get("peers", {}).items():
        lines.append(f"peer {key}: {p['name']}: " + (f"skipped ({p['skipped']})" if p["skipped"] else p["python"]))
    if "metric" in report:
        lines += ["", f"{'metric (s, best of alternations)':<42} {'shape n,m,layers,p':<22} {'peer':>8} {'stable':>8} "
                      f"{'exact':>8}  x(stable)  x(exact)  floor-x  |dscore|"]
        for r in report["metric"]:
            s = r["seconds"]
            exact = "legacy-exact" if r["suite"] == "legacy" else "bsl-exact"
            sp, d = r.get("speedup_vs_peer", {}), r.get("abs_score_diff_vs_peer", {})
            lines.append(f"{r['suite'] + ' ' + r['case']:<42} {','.join(map(str, r['shape'])):<22} {_f(s.get('peer')):>8} "
                         f"{s['stable']:>8.2f} {s[exact]:>8.2f}  {_f(sp.get('stable'), '{:.1f}x'):>9} "
                         f"{_f(sp.get(exact), '{:.1f}x'):>8}  {r['floor_multiple']['stable']:>7.0f}  "
                         f"{_f(d.get('stable'), '{:.1e}'):>8}" + (f"  peer: {r['peer_skipped']}" if "peer_skipped" in r else "")
                         + (f"  peer error: {r['peer_error']}" if "peer_error" in r else ""))
    if "e2e" in report:
        lines += ["", f"{'end to end (cold caches; scoring s)':<30} {'peer':>8} {'repro':>8} {'speed-up':>9} {'floor s':>8} "
                      f"{'floor-x':>8} {'extract/GEMM':>12} {'RSS MB':>7}"]
        for r in report["e2e"]:
            rep, peer = r["repro"], r.get("peer") or {}
            head = f"{r['model'] + ' ' + r['suite']:<30}"
            if "error" in rep:
                lines.append(f"{head} repro error: {rep['error']}")
                continue
            fl = r["floor"]
            lines.append(f"{head} {_f(peer.get('seconds'), '{:.1f}'):>8} {rep['seconds']:>8.1f} "
                         f"{_f(r.get('speedup_vs_peer'), '{:.1f}x'):>9} {fl['floor_seconds']:>8.2f} {r['floor_multiple']:>8.1f} "
                         f"{_f(fl['extraction_fraction_of_gemm'], '{:.0%}'):>12} {rep['peak_rss_mb']:>7.0f}"
                         + (f"  peer: {r['peer_skipped']}" if "peer_skipped" in r else "")
                         + (f"  peer error: {peer['error']}" if "error" in peer else ""))
    if "gpu" in report:
        g = report["gpu"]
        lines += ["", f"GPU: skipped ({g['skipped']})" if "skipped" in g else f"GPU ({g['device']}):"]
        for r in g.get("rows", []):
            lines.append(f"  {r['model']} {r['suite']}: " + (f"error {r['error']}" if "error" in r else f"{r['seconds']:.1f} s"))
    return "\n".join(lines)
