#!/usr/bin/env python3
"""tools/mutdiff.py OLD NEW COUNT SEED: a differential test of two clifrun
binaries by mutation.  COUNT times, one or two lines of a .clif file
(testdata/run, parse and errors, and the first functions of
build/bench/many5000.clif) are changed at random (value, block and other
numbers, types, opcodes, characters, tokens, spaces); OLD and NEW must
agree on `check` and `print` (status, stdout, stderr).  MUTRE=REGEX
mutates only lines matching it.  For changes to lib/reader and
lib/verify that must change no result: run it with the binary before
them as OLD; it prints each difference and the counts."""
import glob, os, random, re, subprocess, sys, tempfile
old, new, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
srcs = [f for d in ('run/*.clif', 'parse/*.clif', 'errors/**/*.clif')
        for f in sorted(glob.glob(root + '/testdata/' + d, recursive=True))]
srcs_text = [open(f, errors='surrogateescape').read() for f in srcs if os.path.getsize(f) < 20000]
if os.path.exists(root + '/build/bench/many5000.clif'):   # make bench: the commonest shapes
    many = open(root + '/build/bench/many5000.clif').read(400000).split('\nfunction ')
    for k in range(1, 40):
        srcs_text.append('test run\ntarget x86_64\n\nfunction ' + many[k] + ('' if many[k].endswith('\n') else '\n'))
OPS = ['iadd', 'isub', 'imul', 'band', 'bor', 'bxor', 'iconst', 'icmp', 'select', 'udiv', 'ishl', 'rotl', 'jump',
       'brif', 'call', 'return', 'load', 'store', 'stack_load', 'stack_store', 'fadd', 'iadd_imm', 'bnot', 'ineg',
       'uextend', 'sextend', 'ireduce', 'bitcast', 'f64const', 'f32const', 'fcmp', 'icmp_imm', 'nop', 'trap',
       'copy', 'popcnt', 'clz', 'ctz', 'fma', 'bitselect', 'x', 'iconst.i64', 'iadd.i32', 'iadd.i64', 'v1']
TYPES = ['i8', 'i16', 'i32', 'i64', 'i128', 'f16', 'f32', 'f64', 'i8x16', 'i32x4', 'i33', 'f65', 'b1', 'r64']
CHARS = ' ,()=:.vx0123456789-+_abfiT\t;%#[]{}<>@\n'
def mutate(line):
    kind = rng.randrange(12)
    if kind == 0:   # another value number
        ms = list(re.finditer(r'v(\d+)', line))
        if ms:
            m = rng.choice(ms); n = rng.choice([0, 1, 2, int(m.group(1)) + 1, int(m.group(1)) - 1, 99, 4294967295, 10**10, 9])
            return line[:m.start(1)] + str(n) + line[m.end(1):]
    if kind == 1:   # another block number
        ms = list(re.finditer(r'block(\d+)', line))
        if ms:
            m = rng.choice(ms); n = rng.choice([0, 1, 2, 3, 5, 7, 64, 65, 100000])
            return line[:m.start(1)] + str(n) + line[m.end(1):]
    if kind == 2:   # another type
        ms = list(re.finditer(r'\b(i8|i16|i32|i64|i128|f32|f64|f16)\b', line))
        if ms:
            m = rng.choice(ms)
            return line[:m.start()] + rng.choice(TYPES) + line[m.end():]
    if kind == 3:   # another opcode
        m = re.match(r'(\s*(?:v\d+(?:, v\d+)* = )?)([a-z_0-9.]+)', line)
        if m:
            return m.group(1) + rng.choice(OPS) + line[m.end(2):]
    if kind == 4 and line:   # delete a char
        i = rng.randrange(len(line)); return line[:i] + line[i + 1:]
    if kind == 5:   # insert a char
        i = rng.randrange(len(line) + 1); return line[:i] + rng.choice(CHARS) + line[i:]
    if kind == 6 and line:   # replace a char
        i = rng.randrange(len(line)); return line[:i] + rng.choice(CHARS) + line[i + 1:]
    if kind == 7:   # another number
        ms = list(re.finditer(r'(?<![a-z])(\d+|0x[0-9a-f]+)', line))
        if ms:
            m = rng.choice(ms)
            return line[:m.start()] + rng.choice(['0', '-1', '255', '256', '0x', '0x1_0', '1_000', '18446744073709551615',
                '18446744073709551616', '0xffffffffffffffff', '0x1ffffffffffffffff', '99999999999999999999', '007',
                '-0', '1.5', '0b1', '1e3', '0x7fffffff', '2147483648', '-9223372036854775808']) + line[m.end():]
    if kind == 8:   # drop a token separated by spaces
        toks = line.split(' ')
        if len(toks) > 2:
            i = rng.randrange(1, len(toks)); del toks[i]; return ' '.join(toks)
    if kind == 9:   # duplicate a token
        toks = line.split(' ')
        if len(toks) > 1:
            i = rng.randrange(len(toks)); toks.insert(i, toks[i]); return ' '.join(toks)
    if kind == 10:   # trailing stuff
        return line + rng.choice([',', ' ,', ' v1', ' ; c', '  ', ' cold', ':', ')', ' blockX', '\t', ' -> v1'])
    if kind == 11:   # spaces
        return line.replace(' ', rng.choice(['  ', '', '\t']), 1)
    return line + ' '
def run(b, cmd, path):
    r = subprocess.run([b, cmd, path], capture_output=True, timeout=20)
    return (r.returncode, r.stdout, r.stderr)
n = diff = errs = 0
tmp = tempfile.mkdtemp(prefix='mutdiff.')
path = os.path.join(tmp, 'mut.clif')
for it in range(count):
    text = rng.choice(srcs_text)
    lines = text.split('\n')
    body = [i for i, l in enumerate(lines) if l.startswith('    ') or re.match(r'block\d', l) or l.startswith('function')]
    if os.environ.get('MUTRE'):   # any line it matches (run lines are comments, not body lines)
        body = [i for i, l in enumerate(lines) if re.search(os.environ['MUTRE'], l)]
    if not body:
        continue
    i = rng.choice(body)
    lines[i] = mutate(lines[i])
    if rng.random() < 0.2:   # sometimes a second line
        j = rng.choice(body); lines[j] = mutate(lines[j])
    open(path, 'w', errors='surrogateescape').write('\n'.join(lines))
    for cmd in ('check', 'print'):
        a, b = run(old, cmd, path), run(new, cmd, path)
        n += 1
        if a[0] != 0:
            errs += 1
        if a != b:
            diff += 1
            keep = os.path.join(tmp, 'diff-%d.clif' % it)
            open(keep, 'w', errors='surrogateescape').write('\n'.join(lines))
            print('DIFF', cmd, keep, a[0], b[0])
print('runs %d (%d with an error from old), differ %d' % (n, errs, diff))
