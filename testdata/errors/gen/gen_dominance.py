#!/usr/bin/env python3
"""gen_dominance.py OUTDIR — dominance across functions of more than 64
blocks, where the verifier keeps a dominator tree (cfg.c) rather than bit
sets, and more values than its on-stack scratch holds.

  errors/dom_large_diamond.clif  a value defined in one arm of a diamond,
                                 used 80 blocks after the join
  errors/dom_large_param.clif    a block parameter of one arm used after the join
  ok/dom_large_chain.clif        100 blocks with uses across them and a loop
"""
import os
import sys


def with_error(lines, at, col, msg):
    """The file: its first line announces the error on lines[at]."""
    return f"; error: {at + 2}:{col}: {msg}\n" + "".join(l + "\n" for l in lines)


def diamond(param):
    arm = ["block1(v1: i64):", "    jump block3"] if param else \
          ["block1:", "    v1 = iconst.i64 5", "    jump block3"]
    lines = ["test verifier", "", "function %f(i64) -> i64 {", "block0(v0: i64):",
             "    brif v0, block1(v0)" if param else "    brif v0, block1, block2", ]
    if param:
        lines[-1] = "    brif v0, block1(v0), block2"
    lines += arm + ["block2:", "    jump block3"]
    for b in range(3, 83):
        lines += [f"block{b}:", f"    jump block{b + 1}"]
    lines += ["block83:", "    v2 = iadd v1, v0", "    return v2", "}"]
    at = lines.index("    v2 = iadd v1, v0")
    msg = ("uses value arg from non-dominating block1 (parameter v1)" if param else
           f"uses value v1 from non-dominating definition in block1 (line {lines.index('    v1 = iconst.i64 5') + 2})")
    return with_error(lines, at, 10, msg)


def chain():
    lines = ["test verifier", "", "function %f(i64) -> i64 {", "block0(v0: i64):", "    v1 = iconst.i64 1",
             "    jump block1(v1)"]
    v = 3
    for b in range(1, 100):
        lines += [f"block{b}(v{v - 1}: i64):", f"    v{v} = iadd v{v - 1}, v1", f"    v{v + 1} = imul v{v}, v0"]
        if b == 50:     # a loop back to block 40
            lines += [f"    brif v{v + 1}, block40(v{v}), block{b + 1}(v{v + 1})"]
        else:
            lines += [f"    jump block{b + 1}(v{v + 1})"]
        v += 3
    lines += [f"block100(v{v - 1}: i64):", f"    v{v} = iadd v{v - 1}, v1", f"    return v{v}", "}"]
    return "".join(l + "\n" for l in lines)


def main():
    out = sys.argv[1]
    for d in ("errors", "ok"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    files = {"errors/dom_large_diamond.clif": diamond(False), "errors/dom_large_param.clif": diamond(True),
             "ok/dom_large_chain.clif": chain()}
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)


main()
