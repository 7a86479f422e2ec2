"""Cost of the interview-locale formats (Babel/CLDR) that pages and exports call (prints numbers).

First use of a locale reads its CLDR data from disk; the app's warm-up does that in a thread
(``display.preload_locales``) so no page event pays it on the event loop. Then each call is
pure Python.

    .venv/bin/python -m bench.locale_formats [--calls 2000]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    from preppal import display
    from preppal.languages import CODES

    print(f"import: {1000 * (time.perf_counter() - started):.0f} ms")
    moment = datetime(2026, 11, 6, 9, 5, tzinfo=UTC)
    for code in CODES:
        t = time.perf_counter()
        display.when(moment, code)
        display.number(1.5, code)
        display.percent(0.4, code)
        print(f"first use {code}: {1000 * (time.perf_counter() - t):.1f} ms")
    for name, call in (
        ("when", lambda c: display.when(moment, c)),
        ("number", lambda c: display.number(1234.5, c)),
    ):
        t = time.perf_counter()
        for _ in range(args.calls):
            for code in CODES:
                call(code)
        print(f"{name}: {(time.perf_counter() - t) / (args.calls * len(CODES)) * 1e6:.1f} us/call")


if __name__ == "__main__":
    main()
