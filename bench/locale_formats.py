"""Cost of the interview-locale formats (Babel/CLDR) that pages and exports call (prints numbers).

First use of a locale reads its CLDR data from disk; the app's warm-up does that in a thread
(``display.preload_locales``) so no page event pays it on the event loop. Then each call is
pure Python.

    .venv/bin/python -m bench.locale_formats [--calls 2000]      # the suite runs --calls 20

The last line:

    locale_formats: first use of a locale up to F ms, then when() W us and number() N us per call
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
    first = []
    for code in CODES:
        t = time.perf_counter()
        display.when(moment, code)
        display.number(1.5, code)
        display.percent(0.4, code)
        first.append(1000 * (time.perf_counter() - t))
        print(f"first use {code}: {first[-1]:.1f} ms")
    per_call = {}
    for name, call in (
        ("when", lambda c: display.when(moment, c)),
        ("number", lambda c: display.number(1234.5, c)),
    ):
        t = time.perf_counter()
        for _ in range(args.calls):
            for code in CODES:
                call(code)
        per_call[name] = (time.perf_counter() - t) / (args.calls * len(CODES)) * 1e6
        print(f"{name}: {per_call[name]:.1f} us/call")
    print(
        f"locale_formats: first use of a locale up to {max(first):.1f} ms, "
        f"then when() {per_call['when']:.1f} us and number() {per_call['number']:.1f} us per call"
    )


if __name__ == "__main__":
    main()
