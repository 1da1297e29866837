"""repro cache: list or clear repro's caches (activations per model, computed ceilings, legacy engine).

Downloaded data files (~/.neural_nlp, ~/.brainio) are not caches and are never removed here.
"""

from __future__ import annotations

EXAMPLES = """examples:
  repro cache ls
  repro cache ls --model gpt2
  repro cache clear --model gpt2                 # that model's cached activations
  repro cache clear --kind ceilings --dry-run    # show what would go
  repro cache clear                              # activations, ceilings and the legacy engine cache
"""


def add_parser(sub) -> None:
    p = sub.add_parser("cache", help="list or clear the caches", description=__doc__, epilog=EXAMPLES)
    p.add_argument("action", choices=["ls", "clear"], help="ls: list entries and sizes; clear: delete them")
    p.add_argument("--model", help="only this model's cached activations (id, alias or local folder)")
    p.add_argument("--kind", nargs="+", choices=["activations", "ceilings", "legacy"],
                   default=["activations", "ceilings", "legacy"], help="which caches (default: all)")
    p.add_argument("--cache-dir", help="cache base folder (default: $REPRO_CACHE_DIR or ~/.cache/repro)")
    p.add_argument("--dry-run", action="store_true", help="clear: only print what would be removed")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..cache_admin import cache_roots, clear, list_entries
    from ..doctor import human

    if args.action == "ls":
        entries = [e for e in list_entries(args.cache_dir, args.model) if e.kind in args.kind]
        for kind, root in cache_roots(args.cache_dir).items():
            if kind in args.kind:
                print(f"# {kind}: {root}")
        if not entries:
            print("(empty)" if not args.model else f"(no cached activations for {args.model})")
        for e in entries:
            print(f"{e.kind:<12} {e.name:<40} {human(e.bytes):>10} {e.files:>6} files  {e.path}")
        total = sum(e.bytes for e in entries)
        if entries:
            print(f"total {human(total)}")
        return 0
    removed = clear(args.cache_dir, args.model, args.kind, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for e in removed:
        print(f"{verb} {e.path} ({human(e.bytes)})")
    if not removed:
        print("nothing to remove")
    return 0
