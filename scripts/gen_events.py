"""Write (or with --check, check) what the event catalogues give: docs/schemas/events/<type>.schema.json for
every type and the tables of docs/events.md (haiquan.kit.catalogue). Run from the repository's root:

    PYTHONPATH=src python scripts/gen_events.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from haiquan.kit import catalogue

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    args = parser.parse_args()
    changed = catalogue.stale(ROOT) if args.check else catalogue.write(ROOT)
    verb = "stale" if args.check else "written"
    for path in changed:
        sys.stdout.write(f"{verb}: {path.relative_to(ROOT)}\n")
    if not changed:
        sys.stdout.write(f"{len(catalogue.entries())} event types: docs up to date\n")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
