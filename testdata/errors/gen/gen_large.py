#!/usr/bin/env python3
"""gen_large.py OUTDIR — large and hostile inputs, made at test time.

Writes OUTDIR/errors/*.clif, which `clifrun check` must reject with the
diagnostic each announces (first line `; error: LINE:COL: MESSAGE`, or a
sidecar FILE.expect for binary files), and OUTDIR/ok/*.clif, which it must
accept.  Everything is deterministic (fixed seeds).  Columns count bytes
from 1; an error at the end of the file is at the column just past its last
byte.  Messages are Cranelift's reader's where it has one.

  errors/long_line_spaces.clif   1 MiB of blanks inside an instruction, then a
                                 bad operand at column ~1,048,600
  errors/long_line_word.clif     a 1 MiB identifier where an operand belongs
  errors/nested_parens.clif      100,000 nested '(' in a function signature
  errors/nested_parens_run.clif  100,000 nested '(' in a `; run:` line's arguments
  errors/many_lines.clif         the error on line 1,000,004 (a million blank lines)
  errors/garbage_elf.clif        64 KiB of binary garbage behind an ELF header (.expect)
  errors/garbage_after_header.clif  a valid header line, then binary garbage (.expect)
  errors/nul_bytes.clif          NUL bytes in the middle of an instruction
  errors/truncated.clif          a valid file cut in the middle of an instruction
  ok/big_function.clif           one valid function of 200,000 instructions
  ok/long_comment.clif           a valid function after a 1 MiB comment line
  ok/nul_in_comment.clif         NUL bytes inside a comment (comments run to end of line)
  ok/many_blanks.clif            a million tabs and a million comment lines between
                                 two tokens (the lexer skips them in a loop)
"""
import os
import random
import sys

MIB = 1 << 20

HEAD = ("function %f(i64, i64) -> i64 {\n"
        "block0(v0: i64, v1: i64):\n")
TAIL = ("    return v2\n"
        "}\n")


def write(path, data, expect=None):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    if expect is not None:
        with open(path + ".expect", "w") as f:
            f.write(expect + "\n")


def with_error(parts, idx, col, msg):
    """A file whose first line announces the error, then the text of parts;
    the offending line starts parts[idx]."""
    line = 2 + sum(p.count("\n") for p in parts[:idx])
    return f"; error: {line}:{col}: {msg}\n" + "".join(parts)


def errors(d):
    # 1 MiB of blanks, then an integer where the second operand belongs.
    pre = "    v2 = iadd v0," + " " * MIB
    lines = [HEAD, pre + "42\n", TAIL]
    write(f"{d}/long_line_spaces.clif",
          with_error(lines, 1, len(pre) + 1, "expected SSA value second operand"))

    # A 1 MiB word where the second operand belongs.
    pre = "    v2 = iadd v0, "
    lines = [HEAD, pre + "x" * MIB + "\n", TAIL]
    write(f"{d}/long_line_word.clif",
          with_error(lines, 1, len(pre) + 1, "expected SSA value second operand"))

    # 100,000 nested parentheses in a signature: the second '(' is not a type.
    n = 100_000
    pre = "function %f("
    lines = [pre + "(" * (n - 1) + "i64" + ")" * n + " -> i64 {\n",
             "block0(v0: i64):\n", "    return v0\n", "}\n"]
    write(f"{d}/nested_parens.clif",
          with_error(lines, 0, len(pre) + 1, "expected parameter type"))

    # ... and in a run line's arguments: '(' is not an i64.
    pre = "; run: %f("
    lines = ["test run\n", "target x86_64\n", HEAD, "    v2 = iadd v0, v1\n", TAIL,
             pre + "(" * n + "1" + ")" * n + ", 2) == 3\n"]
    write(f"{d}/nested_parens_run.clif",
          with_error(lines, 5, len(pre) + 1, "expected an i64"))

    # A million blank lines: line numbers must keep counting.
    pre = "    v2 = iadd v0,"
    blanks = 1_000_000
    lines = [HEAD, "\n" * blanks, pre + " 42\n", TAIL]
    write(f"{d}/many_lines.clif",
          with_error(lines, 2, len(pre) + 2, "expected SSA value second operand"))

    # Binary garbage behind an ELF header: DEL (0x7f) is no token.
    rng = random.Random(1)
    garbage = b"\x7fELF\x02\x01\x01\x00" + bytes(rng.randrange(256) for _ in range(64 * 1024))
    write(f"{d}/garbage_elf.clif", garbage, "; error: 1:1: invalid character")

    # A valid first line, then garbage starting with a byte that is no token.
    rng = random.Random(2)
    garbage = b"test run\n\xff\xfe" + bytes(rng.randrange(256) for _ in range(16 * 1024))
    write(f"{d}/garbage_after_header.clif", garbage, "; error: 2:1: invalid character")

    # NUL bytes where the second operand belongs.
    pre = "    v2 = iadd v0,"
    body = (HEAD + pre + "\0\0\0 v1\n" + TAIL).encode()
    write(f"{d}/nul_bytes.clif",
          f"; error: 4:{len(pre) + 1}: invalid character\n".encode() + body)

    # A valid file cut in the middle of an instruction: the error is at the end.
    pre = "    v2 = iadd v0, "
    write(f"{d}/truncated.clif",
          f"; error: 4:{len(pre) + 1}: expected SSA value second operand\n" + HEAD + pre)


def big_function(n_inst=200_000, per_block=100):
    """A valid function with exactly n_inst instructions: a chain of blocks
    with block parameters, each ending in a conditional branch on a compare,
    and a counted loop back to the first block so dominance is not trivial."""
    out = ["; 200,000 instructions in one function (generated by gen_large.py)\n",
           "function %big(i64, i64) -> i64 {\n",
           "block0(v0: i64, v1: i64):\n",
           "    v2 = iconst.i64 3\n",
           "    jump block1(v0, v1, v2)\n"]
    count = 2
    nv = 3
    # the exit block has 2 instructions; every chain block per_block
    nblocks = (n_inst - count - 2) // per_block
    extra = (n_inst - count - 2) - nblocks * per_block
    ops = ["iadd", "isub", "imul", "bxor", "band", "bor"]
    exit_blk = nblocks + 1
    for k in range(1, nblocks + 1):
        a, b, c = nv, nv + 1, nv + 2
        nv += 3
        out.append(f"block{k}(v{a}: i64, v{b}: i64, v{c}: i64):\n")
        vals = [a, b]
        body = per_block + (extra if k == nblocks else 0)
        # body - 2 (icmp + brif), and the last block also decrements the counter
        # (iconst + isub + icmp + brif): keep the instruction count exact.
        arith = body - (4 if k == nblocks else 2)
        for i in range(arith):
            if i % 17 == 0:
                out.append(f"    v{nv} = iconst.i64 {i * 7 + k}\n")
            else:
                x, y = vals[-1], vals[(i * 5 + k) % len(vals)]
                out.append(f"    v{nv} = {ops[(i + k) % len(ops)]} v{x}, v{y}\n")
            vals.append(nv)
            nv += 1
        x, y = vals[-1], vals[-2]
        if k < nblocks:
            out.append(f"    v{nv} = icmp slt v{x}, v{y}\n")
            out.append(f"    brif v{nv}, block{k + 1}(v{x}, v{y}, v{c}), block{k + 1}(v{y}, v{x}, v{c})\n")
            nv += 1
        else:
            one, n1, cond = nv, nv + 1, nv + 2
            nv += 3
            out.append(f"    v{one} = iconst.i64 1\n")
            out.append(f"    v{n1} = isub v{c}, v{one}\n")
            out.append(f"    v{cond} = icmp ne v{n1}, v{one}\n")
            out.append(f"    brif v{cond}, block1(v{x}, v{y}, v{n1}), block{exit_blk}(v{x}, v{y})\n")
        count += body
    p, q = nv, nv + 1
    out.append(f"block{exit_blk}(v{p}: i64, v{q}: i64):\n")
    out.append(f"    v{nv + 2} = iadd v{p}, v{q}\n")
    out.append(f"    return v{nv + 2}\n")
    out.append("}\n")
    count += 2
    assert count == n_inst, count
    return "".join(out)


def oks(d):
    write(f"{d}/big_function.clif", big_function())
    write(f"{d}/long_comment.clif",
          "; " + "c" * MIB + "\n" + HEAD + "    v2 = iadd v0, v1\n" + TAIL)
    write(f"{d}/nul_in_comment.clif",
          (HEAD + "    v2 = iadd v0, v1 ; NUL \0 in a comment\n" + TAIL).encode())
    write(f"{d}/many_blanks.clif",
          HEAD + "    v2 = iadd\t" + "\t\r" * (MIB // 2) + ";\n" * MIB + " v0, v1\n" + TAIL)


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    out = sys.argv[1]
    for sub in ("errors", "ok"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    errors(os.path.join(out, "errors"))
    oks(os.path.join(out, "ok"))


if __name__ == "__main__":
    main()
