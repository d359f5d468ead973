"""Mutation fuzzing of every parser (apart from the tests): `make fuzz` (N=10000 by default).

Takes one valid report per format (text dump, HTML, GBK portal page, DOCX, a generated PDF with a
running header and a table across pages, the real PDFs), applies
random mutations (bit flips, byte runs overwritten, truncation, insertion, deletion, duplication of a
slice) and feeds each mutant to `gongkai.parse.parse_bytes`. A *crash* is an exception escaping
parse_bytes, or a failed report whose error says "parser error" (an unexpected exception the
dispatcher had to catch: a bug). Every other outcome — parsed, partial, or failed with the project's
own one-line reason — is fine. Prints the outcome counts and exits 1 on any crash.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seeds() -> list[tuple[str, bytes]]:
    from gongkai.synth import make_report, render_html, render_text
    from gongkai.synth.render_docx import render_docx
    from gongkai.synth.render_pdf import render_pdf

    r = make_report(5, "示范县教育局", 2023, ("blank_cell",))
    out = [("seed.txt", (ROOT / "data/harvest/wuxing_office_2021.txt").read_bytes()),
           ("synth.txt", render_text(r)), ("synth.html", render_html(r)),
           ("portal.html", render_html(r, portal=True, encoding="gbk")), ("synth.docx", render_docx(r)),
           ("synth.pdf", render_pdf(r))]
    out += [(p.name, p.read_bytes()) for p in sorted((ROOT / "tests/fixtures/pdf").glob("*.pdf"))]
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        if not b:
            break
        op = rng.randrange(6)
        i = rng.randrange(len(b))
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            n = rng.randrange(1, 64)
            b[i:i + n] = bytes(rng.randrange(256) for _ in range(min(n, len(b) - i)))
        elif op == 2:
            del b[i:]
        elif op == 3:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32)))
        elif op == 4:
            del b[i:i + rng.randrange(1, 256)]
        else:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randrange(1, 512)]
    return bytes(b)


def run(job: tuple[int, int]) -> Counter:
    from gongkai.report.read import parse_bytes

    start, count = job
    corpus = seeds()
    outcome: Counter = Counter()
    for k in range(start, start + count):
        rng = random.Random(k)
        name, data = corpus[k % len(corpus)]
        try:
            r = parse_bytes(name, mutate(data, rng))
        except BaseException as exc:  # noqa: BLE001 - that is what we count
            outcome[f"CRASH {name}: {type(exc).__name__}: {exc}"[:200]] += 1
            continue
        if r.status == "failed" and "parser error" in (r.error or ""):
            outcome[f"CRASH {name}: {r.error}"[:200]] += 1
        else:
            outcome[f"{Path(name).suffix} {r.status}"] += 1
    return outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    per = 250
    jobs = [(s, min(per, args.n - s)) for s in range(0, args.n, per)]
    t = time.perf_counter()
    total: Counter = Counter()
    with ProcessPoolExecutor(args.workers) as pool:
        for c in pool.map(run, jobs):
            total.update(c)
    crashes = sum(v for k, v in total.items() if k.startswith("CRASH"))
    print(f"{args.n} mutated files in {time.perf_counter() - t:.0f} s: {crashes} crashes")
    for k, v in sorted(total.items()):
        print(f"  {v:6d}  {k}")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
