#!/usr/bin/env python3
"""One value used N times under register pressure: the input that showed the
linear allocator's quadratic paths (issue 14: `straddles()` on AArch64).

  tools/gen_uses.py N > f.clif     (N uses of v0, in groups of 40 live values)

Each group computes 40 values from v0, all live at once (more than either
target's registers), then sums them into the running total, so the
allocator evicts in every group with v0 among the candidates.  %f(1) is
checked by a run line."""
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400000
    g = 40
    out = ["test run", "target x86_64", "target aarch64", "",
           "function %f(i64) -> i64 {", "block0(v0: i64):", "    v1 = iconst.i64 0"]
    v, acc, total = 2, 1, 0
    for k in range(max(1, n // g)):
        vals = []
        for j in range(g):
            out.append(f"    v{v} = iadd_imm v0, {j + 1}")
            vals.append(v)
            v += 1
            total += 1 + j + 1
        for x in vals:
            out.append(f"    v{v} = iadd v{acc}, v{x}")
            acc = v
            v += 1
    out += [f"    return v{acc}", "}", f"; run: %f(1) == {total}", ""]
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
