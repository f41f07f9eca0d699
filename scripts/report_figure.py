"""Save the N-th embedded figure of a therapy-audit HTML report as a PNG file.

    .venv/bin/python scripts/report_figure.py audit-runs/report.html 1 -o docs/figure.png
"""

from __future__ import annotations

import argparse
import base64
import re
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("index", type=int, help="1 for the first figure")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"',
                        args.report.read_text(encoding="utf-8"))
    if not 1 <= args.index <= len(images):
        raise SystemExit(f"the report has {len(images)} figures")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(base64.b64decode(images[args.index - 1]))
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
