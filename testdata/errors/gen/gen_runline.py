#!/usr/bin/env python3
"""gen_runline.py OUTDIR — values of run lines that must be refused, each
in a file of its own (the first error ends a file): one past the range of
each integer type (match_imm! for i8..i32 and i128: -2^(bits-1) to
2^bits - 1; Imm64 for i64: at most 16 hex digits), hex floats that are
not exact, NaN payloads out of range, vector constants of a wrong size.
reader/runline.c reads run lines quickly and must decline all of these to
the parser, whose messages are below.

  errors/runline_NN.clif   `; print: %f(VALUE)` (or a run line) and its error
"""
import os
import sys

I128_RANGE = "(-170141183460469231731687303715884105728 to 340282366920938463463374607431768211455)"
I64_RANGE = "(-9223372036854775808 to 18446744073709551615)"

# (type, run line after "; ", the text the error points at, message)
CASES = [
    ("i8", "print: %f(256)", "256", "immediate 256 out of range for i8 (-128 to 255)"),
    ("i8", "print: %f(-129)", "-129", "immediate -129 out of range for i8 (-128 to 255)"),
    ("i8", "print: %f(0x100)", "0x100", "immediate 0x100 out of range for i8 (at most 0xff)"),
    ("i8", "run: %f(1) == 256", "256", "immediate 256 out of range for i8 (-128 to 255)"),
    ("i8", "print: %f(1_0)", "1_0", "expected decimal immediate"),
    ("i16", "print: %f(65536)", "65536", "immediate 65536 out of range for i16 (-32768 to 65535)"),
    ("i16", "print: %f(-32769)", "-32769", "immediate -32769 out of range for i16 (-32768 to 65535)"),
    ("i32", "print: %f(4294967296)", "4294967296", "immediate 4294967296 out of range for i32 (-2147483648 to 4294967295)"),
    ("i32", "print: %f(-2147483649)", "-2147483649", "immediate -2147483649 out of range for i32 (-2147483648 to 4294967295)"),
    ("i32", "print: %f(0x1_0000_0000)", "0x1_0000_0000", "immediate 0x1_0000_0000 out of range for i32 (at most 0xffffffff)"),
    ("i64", "print: %f(18446744073709551616)", "18446744073709551616", "immediate 18446744073709551616 out of range for i64 " + I64_RANGE),
    ("i64", "print: %f(-9223372036854775809)", "-9223372036854775809", "immediate -9223372036854775809 out of range for i64 " + I64_RANGE),
    ("i64", "print: %f(0x10000000000000000)", "0x10000000000000000", "immediate 0x10000000000000000 out of range for i64 (at most 0xffffffffffffffff)"),
    # Imm64 counts digits, leading zeros too
    ("i64", "print: %f(0x00000000000000001)", "0x00000000000000001", "immediate 0x00000000000000001 out of range for i64 (at most 0xffffffffffffffff)"),
    ("i128", "print: %f(340282366920938463463374607431768211456)", "340282366920938463463374607431768211456",
     "immediate 340282366920938463463374607431768211456 out of range for i128 " + I128_RANGE),
    ("i128", "print: %f(-170141183460469231731687303715884105729)", "-170141183460469231731687303715884105729",
     "immediate -170141183460469231731687303715884105729 out of range for i128 " + I128_RANGE),
    ("f32", "print: %f(NaN:0x400000)", "NaN:0x400000", "Invalid NaN payload"),
    ("f32", "print: %f(sNaN:0x0)", "sNaN:0x0", "Invalid sNaN payload"),
    ("f32", "print: %f(0x1.000001p0)", "0x1.000001p0", "Too many significant bits"),
    ("f32", "print: %f(0x1.0p128)", "0x1.0p128", "Magnitude too large"),
    ("f32", "print: %f(0x1.0p-150)", "0x1.0p-150", "Magnitude too small"),
    ("f32", "print: %f(0x1.8p-149)", "0x1.8p-149", "Subnormal underflow"),
    ("f64", "print: %f(0x1p0)", "0x1p0", "expected an f64"),
    ("f32", "print: %f(.5)", ".5", "expected an f32"),
    ("f64", "print: %f(NaN:0x8000000000000)", "NaN:0x8000000000000", "Invalid NaN payload"),
    ("i32x2", "print: %f(0x010203040506070809)", "0x010203040506070809", "expected parsed constant to have 8 bytes"),
    ("i32x4", "print: %f(0x123)", "0x123",
     "expected hexadecimal immediate, failed to parse: Hexadecimal string must have an even number of digits"),
    ("i8x16", "print: %f([0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 256])", "256", "immediate 256 out of range for i8 (-128 to 255)"),
]


def case(ty, run, at, msg):
    lines = ["test run", f"function %f({ty}) -> {ty} {{", f"block0(v0: {ty}):", "    return v0", "}", "; " + run]
    col = lines[-1].rindex(at) + 1
    return f"; error: {len(lines) + 1}:{col}: {msg}\n" + "".join(l + "\n" for l in lines)


def main():
    out = os.path.join(sys.argv[1], "errors")
    os.makedirs(out, exist_ok=True)
    for i, c in enumerate(CASES):
        with open(os.path.join(out, f"runline_{i:02d}.clif"), "w") as f:
            f.write(case(*c))


main()
