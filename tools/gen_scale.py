#!/usr/bin/env python3
"""Inputs that grow with N, to show a cost grows linearly (issue 14).

  tools/gen_scale.py uses N > f.clif
      One value used N times under register pressure: the input that showed
      the linear allocator's quadratic `straddles()` (AArch64).  Groups of 40
      values computed from v0, all live at once (more than either target's
      registers), then summed into the running total, so the allocator
      evicts in every group with v0 among the candidates.
  tools/gen_scale.py funcs N > f.clif
      N tiny functions: the REPL's :load of them was quadratic.

Each file has a run line whose value is computed here."""
import sys


def uses(n):
    g = 40
    # no target line: `clifrun compile --target T` compiles it for any T
    out = ["test run", "",
           "function %f(i64) -> i64 {", "block0(v0: i64):", "    v1 = iconst.i64 0"]
    v, acc, total = 2, 1, 0
    for _ in range(max(1, n // g)):
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
    return out


def funcs(n):
    out = ["test run", ""]
    for k in range(n):
        out += [f"function %f{k}(i64) -> i64 {{", "block0(v0: i64):", f"    v1 = iadd_imm v0, {k}",
                "    return v1", "}", ""]
    out += [f"; run: %f{n - 1}(1) == {n}", ""]
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("uses", "funcs"):
        sys.exit(__doc__)
    n = int(sys.argv[2])
    sys.stdout.write("\n".join(uses(n) if sys.argv[1] == "uses" else funcs(n)))


if __name__ == "__main__":
    main()
