/* clifrun: the command line.  The pipeline, top to bottom:
 * read (lib/reader) → verify (lib/verify) → compile (lib/codegen) → link
 * (lib/jit) → call (lib/run); lib/filetest strings them together for a
 * file, and runs many files for `clifrun test`. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "codegen/codegen.h"
#include "filetest/filetest.h"
#include "interp/interp.h"
#include "opt/opt.h"
#include "ir/ir.h"
#include "object/object.h"
#include "reader/reader.h"
#include "verify/verify.h"

static const char usage[] =
    "usage: clifrun [OPTIONS] FILE...       run each FILE's run and print lines (or %main)\n"
    "       clifrun run [OPTIONS] FILE...   the same\n"
    "       clifrun -e '%f(1, 2)' ... FILE  call functions of FILE and print the results\n"
    "       clifrun [-i] [OPTIONS] [FILE]   the REPL, after loading FILE (:help\n"
    "                                       inside); `clifrun` alone on a tty too\n"
    "       clifrun COMMAND [OPTIONS] ARGS...\n"
    "       clifrun help [COMMAND]         this help, or one command's\n"
    "A FILE of `-` is standard input.  Options go anywhere after the command;\n"
    "an argument that starts with `-` is an option, never a file name.\n"
    "\n"
    "Commands:\n"
    "  test FILE|DIR...  run Cranelift filetests (`test run`, `interpret`, `verifier`,\n"
    "                    `cat`, `print-cfg`; other kinds skip, saying why;\n"
    "                    directories are searched for *.clif); ends with\n"
    "                    `N passed, N failed, N skipped`\n"
    "  interpret FILE... run FILE's run and print lines through the interpreter\n"
    "                    (Cranelift's semantics, no code generated; any host, target\n"
    "                    lines ignored); --timeout and -e as for running\n"
    "  print FILE...     parse, verify and print each FILE as canonical CLIF\n"
    "  optimize FILE...  print the functions as opt_level=speed optimizes them\n"
    "                    (--passes promote,fold,strength,gvn,mem,licm,dce: only those)\n"
    "  check FILE...     parse and verify each FILE; print nothing on success\n"
    "  bench FILE...     time parsing and verifying each FILE (MB/s, functions/s)\n"
    "  cfg FILE...       the control-flow graph of each function in Graphviz dot\n"
    "                    (-o F.svg, .png, .pdf: rendered by Graphviz's dot)\n"
    "  compile FILE...   compile each function; print its code size (-D: disassembly;\n"
    "                    --vcode: its machine instructions after register allocation;\n"
    "                    -o F.o: write a relocatable ELF object for the target instead)\n"
    "  fuzz              random programs, each through the reference and the JIT with\n"
    "                    every register allocator; disagreements are reduced and\n"
    "                    written to --out DIR (default fuzz-out); --seed S,\n"
    "                    --count N, --skip K, -v, --print (a program and its\n"
    "                    expected values): all in `clifrun fuzz --help`\n"
    "  reduce FILE       the smallest FILE on which the JIT and the reference still\n"
    "                    disagree (--until CMD: on which `sh -c CMD` still exits 0,\n"
    "                    the candidate in $CLIF); -o OUT, else standard output\n"
    "                    (`clifrun reduce --help`)\n"
    "  targets           the architecture table: name, alias, whether this clifrun\n"
    "                    runs there (host), ELF machine and 64-bit relocation, the\n"
    "                    back end's short name and lib/isa folder, Debian triplet,\n"
    "                    qemu-user program, qemu's baseline CPUs; a header line\n"
    "\n"
    "Options for running (FILE, -e, -i, test):\n"
    "  -i                the REPL: define functions, call them, :load, :disasm ...\n"
    "                    (:help inside); its calls have no time limit but --timeout's\n"
    "  -e INVOCATION     call `%f(args)` (or `u0:N(args)`, the N-th function); with\n"
    "                    `== value` it is checked like a run line; repeatable;\n"
    "                    floats in decimal (1.5) or hex (0x1.8p0)\n"
    "  --timeout S       fail a call that runs longer than S seconds (default 10; 0: none)\n"
    "  --target ARCH     {targets} (or a triple, x86_64-unknown-linux-gnu):\n"
    "                    the file's target lines (and code) to use; only the host's\n"
    "                    architecture can run (default: the host); (compile) the code\n"
    "                    to generate\n"
    "  --target 'ARCH FLAG...'  a target line used instead of the file's: ISA flags\n"
    "                    and presets ('x86_64 has_avx2', 'x86_64 x86-64-v3',\n"
    "                    'aarch64 has_lse'); every command, the REPL too\n"
    "  --set NAME=VALUE  a `set` line after the file's own (opt_level=speed,\n"
    "                    preserve_frame_pointers ...), for each of its target lines;\n"
    "                    repeatable; every command, the REPL too\n"
    "  --jit-spread      place every module > 4 GiB from the others and from host\n"
    "                    code, so every call between them goes through a stub\n"
    "                    (the same as CLIFRUN_JIT_SPREAD=1)\n"
    "  --no-sandbox      run calls without the seccomp sandbox (no exec, no new\n"
    "                    processes, no files opened for writing, no sockets...);\n"
    "                    the same as CLIFRUN_NO_SANDBOX=1\n"
    "  --lib FILE.so     load a library of your own host functions before linking\n"
    "                    and sandboxing; repeatable (also CLIFRUN_LIB=a.so:b.so)\n"
    "  --modules N       compile FILE into N modules one after another, run its run\n"
    "                    lines in each and free it; report modules/s and memory\n"
    "  --keep            (--modules) keep all N alive, each module's functions calling\n"
    "                    the previous module's (and host functions) through its\n"
    "                    PLT/GOT; run the first and last module's run lines at the\n"
    "                    end; report modules/s and bytes per module\n"
    "  -j N              (test) files at once (default: the number of cores)\n"
    "  -v                (test) a line per file and target line\n"
    "  --interpret       (test) run every file's run lines through the interpreter\n"
    "                    only, whatever its test and target lines say\n"
    "  --format FMT      (test) text (default) or junit: JUnit XML on standard output\n"
    "                    (the text report then goes to standard error)\n"
    "  --output F        (test) write the JUnit XML to F instead\n"
    "  --shard K/N       (test) only the K-th of N slices of the files (every N-th\n"
    "                    of the sorted list, from the K-th): N runs cover all once;\n"
    "                    Bazel's TEST_TOTAL_SHARDS/TEST_SHARD_INDEX do the same,\n"
    "                    TEST_SHARD_STATUS_FILE is touched, XML_OUTPUT_FILE gets\n"
    "                    the JUnit report\n"
    "  --no-verify       (print) skip the verifier\n"
    "  --as-cranelift    (print) as Cranelift's Display writes it, for comparing:\n"
    "                    a symbol's user name as userextnameN (does not read back)\n"
    "  -D                (compile) disassemble: bytes, block labels, branch targets,\n"
    "                    relocations, trap sites, jump tables and constants as data\n"
    "  --clif            (compile) -D with each IR instruction before its code\n"
    "  --vcode           (compile) the machine instructions after register allocation\n"
    "                    (VCode): blocks, the allocator's moves, physical registers,\n"
    "                    immediates, stack slots (ssN) and spill slots (spillN)\n"
    "  -h, --help        show this help\n"
    "  --version         show the version\n"
    "\n"
    "Calls run under a seccomp sandbox, in a child process when they reach host\n"
    "code; exit, abort and blocked system calls are reported at their run line.\n"
    "Code that reaches no host code, stores nothing and calls nothing through a\n"
    "pointer cannot make a system call, and runs without the filter.\n"
    "Frames past 1 GiB are errors; every frame is probed, so running out of stack\n"
    "traps stk_ovf (man clifrun: RUNNING A STRANGER'S CODE).\n"
    "\n"
    "Exit status: 0 success, 1 failed run lines or tests (fuzz: disagreements),\n"
    "2 bad input, usage or a failed write, 3 out of memory.\n";

/* --set and --target, taken from anywhere after the command for every
 * command: --set values are checked with Cranelift's words and removed
 * from argv; a --target with ISA flags or presets becomes the target line
 * of every file loaded (ft_set_overrides) and its value in argv becomes
 * the bare architecture, which each command's own --target reads. */
static const char **cli_sets;
static unsigned cli_nsets;
static char cli_arch[32];
static const char *cli_target;  /* --target with flags, or NULL */

static int take_global_opts(int *argc, char **argv)
{
    const char *target = NULL;
    int k = 0;
    cli_sets = ir_xcalloc((size_t)*argc + 1, sizeof *cli_sets);
    for (int i = 0; i < *argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "-e") || !strcmp(o, "--output") || !strcmp(o, "-o") || !strcmp(o, "--passes")) {
            argv[k++] = argv[i];        /* a value that is not an option */
            if (i + 1 < *argc)
                argv[k++] = argv[++i];
            continue;
        }
        const char *v = !strncmp(o, "--set=", 6) ? o + 6 : NULL;
        if (!strcmp(o, "--set") || v) {
            if (!v && i + 1 >= *argc) {
                fputs("clifrun: --set needs NAME=VALUE\n", stderr);
                return 2;
            }
            v = v ? v : argv[++i];
            const char *eq = strchr(v, '=');
            char name[128], msg[300];
            snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - v) : (int)strlen(v), v);
            if (cg_check_setting(name, eq ? eq + 1 : NULL, false, msg, sizeof msg) < 0) {
                fprintf(stderr, "clifrun: error: --set %s: %s\n", v, msg);
                return 2;
            }
            cli_sets[cli_nsets++] = v;
            continue;
        }
        if (!strcmp(o, "--target") && i + 1 < *argc) {
            const char *t = argv[i + 1];
            size_t n = strcspn(t, " \t-");
            jit_arch a = jit_arch_parse(t, n);     /* an alias becomes the name */
            snprintf(cli_arch, sizeof cli_arch, "%.*s", a ? (int)strlen(jit_arch_name(a)) : (int)n,
                     a ? jit_arch_name(a) : t);
            if (t[strcspn(t, " \t")])      /* flags: a target line of its own */
                target = t;
            argv[k++] = argv[i++];
            argv[k++] = cli_arch;
            continue;
        }
        argv[k++] = argv[i];
    }
    *argc = k;
    argv[k] = NULL;
    cli_target = target;
    ft_set_overrides(cli_sets, cli_nsets, target);
    return 0;
}

/* The process ends with _exit when dispatch returns, nothing freed: it is
 * sandboxed for good (a sanitizer's leak check at exit needs system calls
 * the filter blocks), or its last file's code ran in it (freeing would only
 * cost time, the munmap of the JIT's 1 GiB reservation alone 90,000-170,000
 * cycles on a VM). */
static bool ends_here;

/* Parse and verify a file.  On failure prints the diagnostic. */
static bool load(const char *path, ir_file *file, char **src, bool verify)
{
    ir_diag d;
    bool ok = ft_load(file, path, src, verify, &d);
    cli_warnings(stderr, file);
    if (ok)
        return true;
    ir_diag_print(stderr, &d, cli_use_color());
    return false;
}

/* An option every command takes (--target ARCH, handled by
 * take_global_opts and the commands that compile): how many arguments. */
static int common_opt(int argc, char **argv, int i)
{
    return !strcmp(argv[i], "--target") && i + 1 < argc ? 2 : 0;
}

static int unknown_opt(const char *cmd, const char *o)
{
    fprintf(stderr, "clifrun %s: unknown option '%s' (clifrun help %s)\n", cmd, o, cmd);
    return 2;
}

static int no_files(const char *cmd)
{
    fprintf(stderr, "clifrun %s: no file given (clifrun help %s)\n", cmd, cmd);
    return 2;
}

static int cmd_print(int argc, char **argv)
{
    bool verify = true;
    int npaths = 0, rc = 0;
    for (int i = 0; i < argc; i++) {
        int k = common_opt(argc, argv, i);
        if (k)
            i += k - 1;
        else if (!strcmp(argv[i], "--no-verify"))
            verify = false;
        else if (!strcmp(argv[i], "--as-cranelift"))
            ir_print_set_cranelift_display(true);
        else if (argv[i][0] == '-' && argv[i][1])
            return unknown_opt("print", argv[i]);
        else
            argv[npaths++] = argv[i];
    }
    if (!npaths)
        return no_files("print");
    for (int i = 0; i < npaths; i++) {
        ir_file file;
        char *src;
        if (load(argv[i], &file, &src, verify))
            ir_print_file(stdout, &file);
        else
            rc = 2;
        ir_file_free(&file);
        ft_free_file(src);
    }
    return rc;
}

/* clifrun optimize: the IR lib/opt makes at opt_level=speed, verified. */
static int optimize_file(const char *path, unsigned passes);

static int cmd_optimize(int argc, char **argv)
{
    int npaths = 0;
    bool force;
    unsigned passes = opt_default_passes(&force);
    if (force && !passes)
        passes = OPT_ALL;   /* CLIFRUN_OPT=none: the command still optimizes */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--passes") && i + 1 < argc) {
            if (!opt_parse_passes(argv[++i], &passes)) {
                fprintf(stderr, "clifrun optimize: unknown pass in '%s' "
                        "(promote, fold, strength, gvn, mem, licm, dce, speed, none)\n", argv[i]);
                return 2;
            }
        } else if (common_opt(argc, argv, i)) {
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return unknown_opt("optimize", argv[i]);
        } else {
            argv[npaths++] = argv[i];
        }
    }
    if (!npaths)
        return no_files("optimize");
    int rc = 0;
    for (int i = 0; i < npaths; i++) {
        int r = optimize_file(argv[i], passes);
        rc = r > rc ? r : rc;
    }
    return rc;
}

static int optimize_file(const char *path, unsigned passes)
{
    ir_file file;
    char *src;
    int rc = 0;
    if (!load(path, &file, &src, true)) {
        ir_file_free(&file);
        ft_free_file(src);
        return 2;
    }
    for (uint32_t i = 0; i < file.funcs.n && !rc; i++) {
        ir_diag d = {.file = file.path, .src = src, .len = strlen(src)};
        ir_diag vd = d;
        if (!opt_run(file.funcs.v[i], passes, &d)) {
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
        } else if (!verify_function(file.funcs.v[i], &vd)) {
            ir_diag_set(&d, vd.line, vd.col, "internal error: the optimized function does not verify: %s", vd.msg);
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
        }
    }
    if (!rc)
        ir_print_file(stdout, &file);
    ir_file_free(&file);
    ft_free_file(src);
    return rc;
}

/* clifrun targets: the architecture table (lib/jit/arch.def), a row per
 * target, for people and for the tools (tools/harness.py), which read it
 * instead of keeping lists of their own: a header line, then
 * whitespace-separated columns with no blanks inside ("-": none). */
static int cmd_targets(int argc, char **argv)
{
    if (argc > 0) {
        fprintf(stderr, "clifrun targets: takes no arguments ('%s')\n", argv[0]);
        return 2;
    }
    static const struct {
        const char *short_name, *isa_dir, *gnu, *qemu, *baseline_cpus;
    } tools[JIT_ARCH_COUNT] = {
#define ARCH(...)
#define ARCH_TOOLS(id, sh, dir, gnu, qemu, cpus) [JIT_ARCH_##id] = {sh, dir, gnu, qemu, cpus},
#include "jit/arch.def"
#undef ARCH_TOOLS
#undef ARCH
    };
    printf("%-8s %-6s %-5s %-11s %-9s %-5s %-8s %-18s %-13s %s\n", "name", "alias", "host", "elf_machine",
           "elf_abs64", "short", "isa_dir", "gnu", "qemu", "baseline_cpus");
    for (unsigned a = 1; a < JIT_ARCH_COUNT; a++) {
        const jit_arch_info *i = jit_arch_get((jit_arch)a);
        printf("%-8s %-6s %-5s %-11u %-9" PRIu32 " %-5s %-8s %-18s %-13s %s\n", i->name, i->alias ? i->alias : "-",
               a == (unsigned)jit_host_arch() ? "yes" : "no", i->elf_machine, i->elf_abs64, tools[a].short_name,
               tools[a].isa_dir, tools[a].gnu, tools[a].qemu, tools[a].baseline_cpus);
    }
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    int npaths = 0, rc = 0;
    for (int i = 0; i < argc; i++) {
        if (common_opt(argc, argv, i))
            i++;
        else if (argv[i][0] == '-' && argv[i][1])
            return unknown_opt("check", argv[i]);
        else
            argv[npaths++] = argv[i];
    }
    if (npaths == 0)
        return no_files("check");
    for (int i = 0; i < npaths; i++) {
        ir_file file;
        char *src;
        ir_diag d;
        bool ok = ft_check(&file, argv[i], &src, &d);   /* each body freed once verified */
        cli_warnings(stderr, &file);
        if (!ok) {
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
        }
        ir_file_free(&file);
        ft_free_file(src);
    }
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Figures only: the best of several runs of parse + verify. */
static int cmd_bench(int argc, char **argv)
{
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        if (common_opt(argc, argv, i))
            i++;
        else if (argv[i][0] == '-' && argv[i][1])
            return unknown_opt("bench", argv[i]);
        else
            argv[npaths++] = argv[i];
    }
    argc = npaths;
    if (argc == 0)
        return no_files("bench");
    for (int a = 0; a < argc; a++) {
        size_t len;
        char *src = ft_read_file(argv[a], &len);
        if (!src) {
            fprintf(stderr, "%s: error: cannot read: %s\n", argv[a], strerror(errno));
            return 2;
        }
        double best_parse = 1e30, best_total = 1e30;
        uint32_t nfuncs = 0, ninsts = 0;
        for (int rep = 0; rep < 5; rep++) {
            ir_file file;
            ir_diag d;
            double t0 = now();
            bool ok = reader_parse_file(&file, argv[a], src, len, &d);
            double t1 = now();
            for (uint32_t i = 0; ok && i < file.funcs.n; i++)
                ok = ir_legacy_rewrite(file.funcs.v[i], &d) && verify_function(file.funcs.v[i], &d);
            double t2 = now();
            if (!ok) {
                d.src = src;
                d.len = len;
                ir_diag_print(stderr, &d, cli_use_color());
                ir_file_free(&file);
                ft_free_file(src);
                return 2;
            }
            nfuncs = file.funcs.n;
            ninsts = 0;
            for (uint32_t i = 0; i < file.funcs.n; i++)
                ninsts += file.funcs.v[i]->insts.n;
            ir_file_free(&file);
            if (t1 - t0 < best_parse)
                best_parse = t1 - t0;
            if (t2 - t0 < best_total)
                best_total = t2 - t0;
        }
        printf("%s: %.2f MB, %u functions, %u instructions\n", argv[a], (double)len / 1e6, nfuncs, ninsts);
        printf("  parse          %8.4f s  %8.1f MB/s  %10.0f functions/s\n", best_parse,
               (double)len / 1e6 / best_parse, nfuncs / best_parse);
        printf("  parse+verify   %8.4f s  %8.1f MB/s  %10.0f functions/s\n", best_total,
               (double)len / 1e6 / best_total, nfuncs / best_total);
        ft_free_file(src);
    }
    return 0;
}

static int compile_file(const char *path, jit_arch arch, const char *out, bool disasm, bool clif,
                        bool vcode);

static int cmd_compile(int argc, char **argv)
{
    const char *arch_name = NULL, *out = NULL;
    bool disasm = false, clif = false, vcode = false;
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-D"))
            disasm = true;
        else if (!strcmp(argv[i], "--clif"))
            disasm = clif = true;
        else if (!strcmp(argv[i], "--vcode"))
            vcode = true;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--target") && i + 1 < argc)
            arch_name = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return unknown_opt("compile", argv[i]);
        else
            argv[npaths++] = argv[i];
    }
    if (!npaths)
        return no_files("compile");
    if (out && npaths > 1) {
        fputs("clifrun compile: -o writes the object of one file\n", stderr);
        return 2;
    }
    jit_arch arch = arch_name ? jit_arch_parse(arch_name, strlen(arch_name)) : jit_host_arch();
    if (!arch) {
        char msg[160];
        fprintf(stderr, "clifrun compile: %s\n", cli_unknown_target(msg, sizeof msg, arch_name));
        return 2;
    }
    int rc = 0;
    for (int i = 0; i < npaths; i++) {
        int r = compile_file(argv[i], arch, out, disasm, clif, vcode);
        rc = r > rc ? r : rc;
    }
    return rc;
}

/* The target compile_file compiles for: the ISA flags of the file's first
 * target line for arch; without one, the baseline with every `set` line. */
static bool compile_target(const ir_file *file, jit_arch arch, cg_target *t, ir_diag *d)
{
    *t = (cg_target){.arch = arch};
    uint32_t ti = 0;
    while (ti < file->targets.n && strcmp(file->targets.v[ti].arch, jit_arch_name(arch)))
        ti++;
    if (ti < file->targets.n ? cg_target_from_file(t, file, ti, d) : cg_apply_settings(t, file, file->settings.n, d))
        return true;
    d->file = file->path, d->src = file->src, d->len = file->len;
    return false;
}

/* compile without -D, --vcode or -o: each function compiled once verified,
 * its body then freed (ft_check_each), as check reads a file: memory in
 * proportion to the largest function, not the file.  What it prints waits
 * for the whole file to verify: the output is compile_file's. */
typedef struct compile_stream {
    jit_arch arch;
    cg_target t;
    bool started, failed;       /* failed: d holds the first target or compile error */
    ir_diag d;
    IR_VEC(char) text;          /* "%name: N bytes" lines */
} compile_stream;

static void compile_each(void *ctx, ir_file *file, uint32_t i)
{
    compile_stream *s = ctx;
    if (s->failed)
        return;
    if (!s->started && (s->started = true) && !compile_target(file, s->arch, &s->t, &s->d)) {
        s->failed = true;
        return;
    }
    cg_output o;
    if (!opt_compile(&s->t, file, i, &o, &s->d)) {
        s->failed = true;
        return;
    }
    char name[128], line[200];
    int n = snprintf(line, sizeof line, "%%%s: %u bytes\n", cg_symbol_name(file->funcs.v[i], name, sizeof name),
                     o.code.n);
    ir_vec_reserve(&s->text, (uint32_t)n);
    memcpy(s->text.v + s->text.n, line, (size_t)n);
    s->text.n += (uint32_t)n;
    cg_output_free(&o);
}

static int compile_streamed(const char *path, jit_arch arch)
{
    ir_file file;
    char *src;
    ir_diag d;
    compile_stream s = {.arch = arch};
    int rc = 0;
    bool ok = ft_check_each(&file, path, &src, &d, compile_each, &s);
    cli_warnings(stderr, &file);
    if (!ok) {
        ir_diag_print(stderr, &d, cli_use_color());
        rc = 2;
    } else {
        if (!s.started && !compile_target(&file, arch, &s.t, &s.d))
            s.failed = true;
        if (s.text.n)   /* none when the first function failed: v is NULL */
            fwrite(s.text.v, 1, s.text.n, stdout);
        if (s.failed) {
            fflush(stdout);
            ir_diag_print(stderr, &s.d, cli_use_color());
            rc = 2;
        }
    }
    ir_vec_free(&s.text);
    ir_file_free(&file);
    ft_free_file(src);
    return rc;
}

static int compile_file(const char *path, jit_arch arch, const char *out, bool disasm, bool clif,
                        bool vcode)
{
    if (!out && !disasm && !vcode)
        return compile_streamed(path, arch);
    ir_file file;
    char *src;
    int rc = 0;
    if (!load(path, &file, &src, true)) {
        ir_file_free(&file);
        ft_free_file(src);
        return 2;
    }
    cg_target t;
    ir_diag d;
    if (!compile_target(&file, arch, &t, &d)) {
        ir_diag_print(stderr, &d, cli_use_color());
        rc = 2;
    }
    t.vcode = vcode;
    t.listing = disasm;
    if (!rc && out && !obj_compile_file(&t, &file, out, stderr, &d)) {
        ir_diag_print(stderr, &d, cli_use_color());
        rc = 2;
    }
    for (uint32_t i = 0; !rc && (!out || disasm || vcode) && i < file.funcs.n; i++) {
        cg_output o;
        if (!opt_compile(&t, &file, i, &o, &d)) {
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
            break;
        }
        char name[128];
        printf("%%%s: %u bytes\n", cg_symbol_name(file.funcs.v[i], name, sizeof name), o.code.n);
        if (vcode && o.vcode.n)
            fputs(o.vcode.v, stdout);
        if (disasm)
            cli_disassemble_fn(stdout, arch, &o, file.funcs.v[i], clif ? CLI_DIS_CLIF : 0);
        cg_output_free(&o);
    }
    ir_file_free(&file);
    ft_free_file(src);
    return rc;
}

/* ---- running: clifrun [OPTIONS] FILE, -e, --modules, test ---------------------------- */

typedef struct run_args {
    const char *path;
    const char **exprs;         /* -e */
    int nexprs;
    double timeout;
    jit_arch arch;
    bool spread, verbose, interp;
    unsigned jobs;
    long modules;               /* --modules N, 0 if not given */
    bool keep;                  /* --keep: all N modules alive, chained */
    bool junit;
    bool interactive;           /* -i, or no file on a terminal */
    bool timeout_set;
    bool no_sandbox;            /* --no-sandbox */
    bool sandbox;               /* what cli_sandbox decided */
    const char *output;
    unsigned shard, nshards;    /* (test) --shard K/N: slice shard (0-based) of nshards; 0: all */
    char **paths;               /* test */
    int npaths;
    const char **libs;          /* --lib */
    int nlibs;
} run_args;

void cli_put_help(FILE *out, const char *text, size_t n)
{
    static const char mark[] = "{targets}";
    const size_t k = sizeof mark - 1;
    char names[96];
    size_t from = 0;
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(text + i, mark, k)) {
            fwrite(text + from, 1, i - from, out);
            fputs(jit_arch_list(names, sizeof names), out);
            from = i + k;
            i += k - 1;
        }
    fwrite(text + from, 1, n - from, out);
}

const char *cli_unknown_target(char *buf, size_t size, const char *name)
{
    char names[96];
    snprintf(buf, size, "unknown target '%s' (%s)", name, jit_arch_list(names, sizeof names));
    return buf;
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("clifrun: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(clifrun --help lists the commands and options)\n", stderr);
    return 2;
}

/* The options shared by running a file and `test`; files go to paths. */
static int parse_run_args(int argc, char **argv, run_args *a, bool test)
{
    memset(a, 0, sizeof *a);
    a->timeout = 10;
    a->exprs = ir_xcalloc((size_t)argc + 1, sizeof *a->exprs);
    a->paths = ir_xcalloc((size_t)argc + 1, sizeof *a->paths);
    a->libs = ir_xcalloc((size_t)argc + 1, sizeof *a->libs);
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(o, "--timeout") || !strcmp(o, "-e") || !strcmp(o, "--target") || !strcmp(o, "-j") ||
            !strcmp(o, "--modules") || !strcmp(o, "--format") || !strcmp(o, "--output") ||
            !strcmp(o, "--lib") || !strcmp(o, "--shard")) {
            if (!v)
                return usage_error("%s needs a value", o);
            i++;
        }
        if (!strcmp(o, "--timeout")) {
            a->timeout = strtod(v, &end);
            a->timeout_set = true;
            if (*end || end == v || !(a->timeout >= 0) || a->timeout > 1e6)
                return usage_error("--timeout wants seconds, not '%s'", v);
        } else if (!strcmp(o, "-e") && !test) {
            a->exprs[a->nexprs++] = v;
        } else if (!strcmp(o, "--target")) {
            char msg[160];
            if (!(a->arch = jit_arch_parse(v, strlen(v))))
                return usage_error("%s", cli_unknown_target(msg, sizeof msg, v));
        } else if (!strcmp(o, "-j") && test) {
            long j = strtol(v, &end, 10);
            if (*end || end == v || j < 1 || j > 1024)
                return usage_error("-j wants a number of jobs from 1 to 1024, not '%s'", v);
            a->jobs = (unsigned)j;
        } else if (!strcmp(o, "--modules") && !test) {
            a->modules = strtol(v, &end, 10);
            if (*end || end == v || a->modules < 1 || a->modules > 100000000)
                return usage_error("--modules wants a count from 1, not '%s'", v);
        } else if (!strcmp(o, "--format") && test) {
            if (strcmp(v, "junit") && strcmp(v, "text"))
                return usage_error("unknown format '%s' (text or junit)", v);
            a->junit = !strcmp(v, "junit");
        } else if (!strcmp(o, "--output") && test) {
            a->output = v;
        } else if (!strcmp(o, "--shard") && test) {
            unsigned k, n;
            char c;
            if (sscanf(v, "%u/%u%c", &k, &n, &c) != 2 || n < 1 || k < 1 || k > n)
                return usage_error("--shard wants K/N, the K-th of N slices (1 <= K <= N), not '%s'", v);
            a->shard = k - 1, a->nshards = n;
        } else if (!strcmp(o, "--keep") && !test) {
            a->keep = true;
        } else if (!strcmp(o, "--jit-spread")) {
            a->spread = true;
        } else if (!strcmp(o, "--no-sandbox")) {
            a->no_sandbox = true;
        } else if (!strcmp(o, "--lib")) {
            a->libs[a->nlibs++] = v;
        } else if (!strcmp(o, "-i") && !test) {
            a->interactive = true;
        } else if (!strcmp(o, "-v") && test) {
            a->verbose = true;
        } else if (!strcmp(o, "--interpret") && test) {
            a->interp = true;
        } else if (o[0] == '-' && o[1]) {
            return usage_error(test ? "unknown option '%s' for clifrun test" : "unknown option '%s'", o);
        } else {
            a->paths[a->npaths++] = argv[i];
        }
    }
    if (a->output && !a->junit)
        return usage_error("--output %s needs --format junit", a->output);
    if (a->keep && !a->modules)
        return usage_error("%s", "--keep goes with --modules N");
    if (a->spread)   /* workers and anything started from here see it too */
        setenv(JIT_SPREAD_ENV, "1", 1);
    /* the user's libraries before anything links; the sandbox's verdict
     * before anything compiles */
    if (!cli_load_libs(a->libs, a->nlibs) || !cli_sandbox(a->no_sandbox, &a->sandbox))
        return 2;
    if (test) {
        if (!a->npaths)
            return usage_error("%s", "test needs files or directories");
        return 0;
    }
    if (a->interactive || (!a->npaths && !a->nexprs && !a->modules && isatty(0))) {
        if (a->nexprs || a->modules)
            return usage_error("%s", "-i does not go with -e or --modules");
        if (a->npaths > 1)
            return usage_error("%s", "-i loads one file (:load adds more)");
        a->interactive = true;
        a->path = a->npaths ? a->paths[0] : NULL;
        return 0;
    }
    if (!a->npaths)
        return usage_error("%s", "no file given");
    if (a->nexprs && a->npaths > 1)
        return usage_error("%s", "-e calls functions of one file");
    a->path = a->paths[0];
    return 0;
}

static void free_run_args(run_args *a)
{
    free(a->exprs);
    free(a->paths);
    free(a->libs);
}

/* The target a file runs with here: its first target line that the host
 * can run (or the host itself for a file without one). */
static bool pick_target(const ir_file *file, jit_arch arch, cg_target *t)
{
    ir_diag d;
    char why[160], first_why[160] = "";
    uint32_t why_line = 0;
    int best = -1;
    if (!file->targets.n) {
        ft_verdict v = ft_target(file, IR_NONE, arch, t, why, sizeof why, &d);
        if (v == FT_RUN)
            return true;
        if (v == FT_SKIP)
            fprintf(stderr, "%s: error: %s\n", file->path, why);
        else
            ir_diag_print(stderr, &d, cli_use_color());
        return false;
    }
    for (uint32_t i = 0; i < file->targets.n; i++) {
        ft_verdict v = ft_target(file, i, arch, t, why, sizeof why, &d);
        if (v == FT_RUN)
            return true;
        if (v == FT_ERROR) {
            ir_diag_print(stderr, &d, cli_use_color());
            return false;
        }
        /* the reason given is that of a line of the wanted architecture,
         * else of the host's, else the first */
        const char *ta = file->targets.v[i].arch;
        int score = !strcmp(ta, jit_arch_name(arch ? arch : jit_host_arch())) ? 2
                    : !strcmp(ta, jit_arch_name(jit_host_arch()))           ? 1 : 0;
        if (score > best) {
            best = score;
            snprintf(first_why, sizeof first_why, "%s", why);
            why_line = file->targets.v[i].line;
        }
    }
    d = (ir_diag){.file = file->path, .src = file->src, .len = file->len};
    ir_diag_set(&d, why_line, 1, "%s (no target line of this file runs on this %s host)", first_why,
                jit_arch_name(jit_host_arch()));
    ir_diag_print(stderr, &d, cli_use_color());
    return false;
}

/* What a file without run lines runs: %main(), if it takes no arguments. */
static bool main_cmd(const ir_file *file, ir_run_cmd *rc)
{
    ir_extname n = {.kind = IR_NAME_TESTCASE, .str = "main"};
    uint32_t f = ir_file_find_func(file, &n);
    ir_diag d = {.file = file->path, .src = file->src, .len = file->len};
    if (f == IR_NONE) {
        ir_diag_set(&d, 0, 0, "nothing to run: no `; run:` or `; print:` line and no %%main function "
                    "(call one with -e '%%f(...)')");
        ir_diag_print(stderr, &d, cli_use_color());
        return false;
    }
    const ir_function *fn = file->funcs.v[f];
    if (fn->sig.nparams) {
        ir_diag_set(&d, fn->line, fn->col, "%%main takes %u parameter%s: call it with -e '%%main(...)'",
                    fn->sig.nparams, fn->sig.nparams == 1 ? "" : "s");
        ir_diag_print(stderr, &d, cli_use_color());
        return false;
    }
    *rc = (ir_run_cmd){.kind = IR_RUN_PRINT, .func = f, .line = fn->line, .col = fn->col, .name = "%main"};
    return true;
}

/* VmRSS or VmHWM (the peak) of /proc/self/status, in KiB; 0 if unknown. */
static long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return v;
}

/* --modules N: compile, link, run and free the file N times over. */
static int run_modules(const run_args *a, jit_ctx *ctx, const ir_file *file, const cg_target *t,
                       const ir_run_cmd *cmds, uint32_t ncmds)
{
    double t0 = now();
    long rss100 = 0;
    size_t jit100 = 0, jit_peak = 0;   /* the JIT's own pages: RSS under qemu holds its code cache too */
    unsigned long failed = 0, passed = 0;
    uint32_t nlines, *lines = ft_line_index(file, &nlines);     /* one for all the modules */
    for (long i = 0; i < a->modules; i++) {
        ft_module m;
        ir_diag d;
        if (!ft_module_build_chain(&m, ctx, file, t, 0, -1, -1, lines, nlines, &d)) {
            fprintf(stderr, "module %ld: ", i + 1);
            ir_diag_print(stderr, &d, cli_use_color());
            free(lines);
            return 2;
        }
        for (uint32_t k = 0; k < ncmds; k++)
            ft_run_cmd(&m, &cmds[k], a->timeout, stdout, RUN_FMT_LANES | RUN_REPORT_FAILURES, NULL) ? passed++
                                                                                               : failed++;
        jit_ctx_stats live;
        jit_ctx_stats_get(ctx, &live);
        if (live.committed_bytes > jit_peak)
            jit_peak = live.committed_bytes;
        ft_module_free(&m);
        if (i + 1 == 100 || (i + 1 < 100 && i + 1 == a->modules))
            jit100 = jit_peak;
        if (i + 1 == 100 || (i + 1 < 100 && i + 1 == a->modules))
            rss100 = status_kib("VmRSS");
    }
    double secs = now() - t0;
    free(lines);
    jit_ctx_stats st;
    jit_ctx_stats_get(ctx, &st);
    printf("%ld modules in %.3f s: %.0f modules/s (%u functions, %u run lines each)\n", a->modules, secs,
           (double)a->modules / secs, file->funcs.n, ncmds);
    printf("RSS: %.1f MiB after %ld modules, %.1f MiB at the end, peak %.1f MiB; live modules: %zu\n",
           rss100 / 1024.0, a->modules < 100 ? a->modules : 100L, status_kib("VmRSS") / 1024.0,
           status_kib("VmHWM") / 1024.0, st.live_modules);
    printf("JIT memory: %.1f KiB committed at most in the first 100 modules, %.1f KiB at most in all, "
           "%.1f KiB at the end; %.0f MiB of address space reserved\n",
           jit100 / 1024.0, jit_peak / 1024.0, st.committed_bytes / 1024.0, st.reserved_bytes / 1048576.0);
    printf("run lines: %lu passed, %lu failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* --modules N --keep: N modules alive at once, module i's functions named
 * f@i and calling module i-1's (module 0 its own), so a call that recurses
 * walks down the chain, module by module; the first and the last module's
 * run lines at the end, then all freed, newest first (each is linked
 * against the one before it). */
static int keep_modules(const run_args *a, jit_ctx *ctx, const ir_file *file, const cg_target *t,
                        const ir_run_cmd *cmds, uint32_t ncmds)
{
    long n = a->modules, built = 0;
    ft_module *ms = calloc((size_t)n, sizeof *ms);
    if (!ms) {
        fprintf(stderr, "clifrun: error: out of memory for %ld modules\n", n);
        return 2;
    }
    jit_ctx_stats st0, st1, st2;
    jit_ctx_stats_get(ctx, &st0);
    uint32_t nlines, *lines = ft_line_index(file, &nlines);     /* one for all the modules */
    long rss0 = status_kib("VmRSS");
    double t0 = now();
    int rc = 0;
    for (; built < n; built++) {
        ir_diag d;
        if (!ft_module_build_chain(&ms[built], ctx, file, t, 0, built, built ? built - 1 : 0, lines, nlines,
                                   &d)) {
            fprintf(stderr, "module %ld (of %ld alive): ", built + 1, n);
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
            break;
        }
    }
    double secs = now() - t0;
    long rss1 = status_kib("VmRSS");
    jit_ctx_stats_get(ctx, &st1);
    unsigned long passed = 0, failed = 0;
    for (long k = 0; !rc && k < (n > 1 ? 2 : 1); k++) {
        long i = k ? n - 1 : 0;
        printf("module %ld:\n", i + 1);
        for (uint32_t c = 0; c < ncmds; c++)
            ft_run_cmd(&ms[i], &cmds[c], a->timeout, stdout, RUN_FMT_LANES, NULL) ? passed++ : failed++;
    }
    double t1 = now();
    for (long i = built - 1; i >= 0; i--)
        ft_module_free(&ms[i]);
    double free_secs = now() - t1;
    jit_ctx_stats_get(ctx, &st2);
    free(ms);
    free(lines);
    if (rc)
        return rc;
    printf("%ld modules alive in %.3f s: %.0f modules/s (%u functions, %u run lines each)\n", n, secs,
           (double)n / secs, file->funcs.n, ncmds);
    printf("memory: %.0f bytes of RSS per module (%.1f MiB for all), %.0f bytes of JIT memory per "
           "module, %zu regions\n", (double)(rss1 - rss0) * 1024 / (double)n, (rss1 - rss0) / 1024.0,
           (double)(st1.committed_bytes - st0.committed_bytes) / (double)n, st1.regions);
    printf("freed in %.3f s; live modules: %zu, %.1f KiB of JIT memory\n", free_secs,
           st2.live_modules, st2.committed_bytes / 1024.0);
    printf("run lines of modules 1 and %ld: %lu passed, %lu failed\n", n, passed, failed);
    return failed ? 1 : 0;
}

/* The run commands of `clifrun FILE` and -e, as items of a batch. */
typedef struct run_cmds {
    const ft_module *m;
    ir_file *file;
    const ir_run_cmd *cmds;
    uint32_t nexprs;            /* the first ones are -e lines */
    double timeout;
} run_cmds;

/* In the child: run and report command i.  -e lines are quoted from the
 * command line, not the file. */
static bool cmd_item(void *arg, uint32_t i)
{
    run_cmds *rc = arg;
    const char *path = rc->file->path;
    if (i < rc->nexprs)
        rc->file->path = "-e";
    bool ok = ft_run_cmd(rc->m, &rc->cmds[i], rc->timeout, stdout, RUN_FMT_LANES, NULL);
    rc->file->path = path;
    return ok;
}

/* In the parent: command i ended the child that ran it. */
static void cmd_ended(void *arg, uint32_t i, const run_outcome *oc)
{
    run_cmds *rc = arg;
    const char *path = rc->file->path;
    if (i < rc->nexprs)
        rc->file->path = "-e";
    ft_report(rc->m, &rc->cmds[i], NULL, oc, stdout, RUN_FMT_LANES);
    rc->file->path = path;
    fflush(stdout);
}

/* One file's run lines (or -e, or %main) on its target. */
static int run_one(const run_args *a, const char *path, bool last)
{
    int rc = 0;
    ir_file file;
    char *src;
    jit_ctx *ctx = NULL;
    ir_run_cmd *cmds = NULL;
    uint32_t ncmds = 0;
    if (!load(path, &file, &src, true)) {
        rc = 2;
        goto out;
    }
    /* -e invocations are read before anything compiles: a typo costs nothing */
    cmds = ir_xcalloc((size_t)a->nexprs + file.runs.n + 1, sizeof *cmds);
    for (int i = 0; i < a->nexprs; i++) {
        ir_diag d;
        if (!reader_parse_invocation(&file, "-e", a->exprs[i], strlen(a->exprs[i]), &cmds[ncmds++], &d)) {
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
            goto out;
        }
    }
    if (!a->nexprs) {
        for (uint32_t i = 0; i < file.runs.n; i++)
            cmds[ncmds++] = file.runs.v[i];
        if (!ncmds && !main_cmd(&file, &cmds[ncmds++])) {
            rc = 2;
            goto out;
        }
    }
    cg_target t;
    if (!pick_target(&file, a->arch, &t)) {
        rc = 2;
        goto out;
    }
    jit_error err;
    ctx = ft_ctx_new(a->spread, &err);
    if (!ctx) {
        fprintf(stderr, "clifrun: error: cannot create the JIT: %s\n", err.msg);
        rc = 2;
        goto out;
    }
    if (a->modules) {
        /* a benchmark of modules: calls run in this process, which is
         * sandboxed for good (compiling needs nothing the filter blocks) */
        char why[200];
        if (a->sandbox)
            jit_host_libm();    /* links follow; the sandbox blocks openat */
        if (a->sandbox && !run_sandbox_install(why, sizeof why)) {
            fprintf(stderr, "clifrun: error: cannot install the sandbox: %s\n", why);
            rc = 2;
            goto out;
        }
        ends_here = a->sandbox;
        /* sandboxed, this process cannot fork: code goes in through a
         * second view (a forked child would share it).  x86-64 only:
         * qemu-user, where AArch64 is tested, takes seconds a module over
         * shared views and misses writes through an alias */
        jit_ctx_set_alias(ctx, a->sandbox && jit_host_arch() == JIT_ARCH_X86_64);
        rc = a->keep ? keep_modules(a, ctx, &file, &t, cmds, ncmds)
                     : run_modules(a, ctx, &file, &t, cmds, ncmds);
        goto out;
    }
    ft_module m;
    ir_diag d;
    if (!ft_module_build(&m, ctx, &file, &t, 0, &d)) {
        ir_diag_print(stderr, &d, cli_use_color());
        rc = 2;
        goto out;
    }
    run_cmds rcs = {&m, &file, cmds, (uint32_t)a->nexprs, a->timeout};
    /* Code that reaches no host code (no libc, no libcall) can neither exit,
     * abort nor make a system call; its traps, timeouts and stack overflows
     * end the call in this process (the guard).  So it runs here, under the
     * sandbox installed now, before any of it runs: this process only
     * reports and exits after it.  A fork would cost more than the rest of
     * a small file's run (2 ms of CPU on a VM, page tables copied). */
    jit_module_stats ms;
    jit_module_stats_get(m.mod, &ms);
    /* Code that cannot reach a system call even by a wild write (stores
     * nothing, calls nothing through a pointer) needs no filter: its run
     * skips the filter's cost, most of a small file's (run_func_confined). */
    bool confined = !ms.host_syms;
    for (uint32_t i = 0; confined && i < file.funcs.n; i++)
        confined = run_func_confined(file.funcs.v[i]);
    char why[200];
    if (!ms.host_syms && (!a->sandbox || confined || (last && run_sandbox_install(why, sizeof why)))) {
        ends_here = a->sandbox && (last || !confined);
        for (uint32_t i = 0; i < ncmds; i++)
            if (!cmd_item(&rcs, i))
                rc = 1;
        fflush(stdout);
        if (ends_here)
            return rc;      /* the process ends now (out:) */
        ft_module_free(&m);
        goto out;
    }
    /* the calls run in a child process, sandboxed: whatever they do ends
     * at most that process, and the next line runs */
    run_batch b = {.n = ncmds, .item = cmd_item, .ended = cmd_ended, .arg = &rcs,
                   .timeout = a->timeout, .sandbox = a->sandbox, .keep_fd = -1};
    run_batch_result br;
    if (!run_batch_run(&b, &br)) {
        fprintf(stderr, "clifrun: error: %s\n", br.error);
        rc = 2;
    } else if (br.write_errno) {
        fprintf(stderr, "clifrun: error: cannot write the results: %s\n", strerror(br.write_errno));
        rc = 2;
    } else if (br.failed) {
        rc = 1;
    }
    ft_module_free(&m);
out:
    /* the process ends with _exit as soon as this returns (main) */
    if (ends_here)
        return rc;
    if (ctx)
        jit_ctx_free(ctx);
    free(cmds);
    ir_file_free(&file);
    ft_free_file(src);
    return rc;
}


static int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a, false);
    if (rc) {
        free_run_args(&a);
        return rc;
    }
    if (a.interactive) {
        ft_map_files(false);
        repl_opts ro = {.path = a.path, .timeout = a.timeout_set ? a.timeout : 0, .arch = a.arch,
                        .spread = a.spread, .sandbox = a.sandbox, .sets = cli_sets, .nsets = cli_nsets,
                        .target = cli_target};
        rc = repl_main(&ro);
        free_run_args(&a);
        return rc;
    }
    /* several files: each in turn, as `clifrun FILE` runs it */
    if (a.modules && a.npaths > 1) {
        /* --modules sandboxes this process for good: one file */
        fprintf(stderr, "clifrun: --modules takes one file, %d given\n", a.npaths);
        free_run_args(&a);
        return 2;
    }
    for (int i = 0; i < a.npaths; i++) {
        int r = run_one(&a, a.paths[i], i + 1 == a.npaths);
        rc = r > rc ? r : rc;
    }
    free_run_args(&a);
    return rc;
}
static int cmd_test(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a, true);
    if (rc) {
        free_run_args(&a);
        return rc;
    }
    char **files = NULL;
    size_t nfiles = 0;
    ir_diag d;
    if (!ft_collect(a.paths, a.npaths, &files, &nfiles, &d)) {
        ir_diag_print(stderr, &d, cli_use_color());
        free_run_args(&a);
        return 2;
    }
    /* Bazel's test sharding protocol: TEST_TOTAL_SHARDS and TEST_SHARD_INDEX
     * (0-based) select the slice when --shard does not; touching
     * TEST_SHARD_STATUS_FILE says the protocol is understood */
    const char *tot = getenv("TEST_TOTAL_SHARDS"), *idx = getenv("TEST_SHARD_INDEX");
    if (!a.nshards && tot && *tot && idx && *idx) {
        char *e1, *e2;
        unsigned long n = strtoul(tot, &e1, 10), k = strtoul(idx, &e2, 10);
        if (*e1 || *e2 || n < 1 || k >= n || n > 1000000) {
            fprintf(stderr, "clifrun test: error: TEST_TOTAL_SHARDS=%s, TEST_SHARD_INDEX=%s: not a shard\n", tot, idx);
            rc = 2;
        }
        a.shard = (unsigned)k, a.nshards = (unsigned)n;
    }
    const char *status = getenv("TEST_SHARD_STATUS_FILE");
    if (!rc && status && *status) {
        FILE *sf = fopen(status, "a");
        if (!sf || fclose(sf) != 0) {
            fprintf(stderr, "%s: error: cannot write (TEST_SHARD_STATUS_FILE): %s\n", status, strerror(errno));
            rc = 2;
        }
    }
    /* the slice: every N-th file of the sorted list, from the K-th; the
     * slices of 1/N ... N/N hold every file once */
    if (!rc && a.nshards > 1) {
        size_t k = 0;
        for (size_t i = 0; i < nfiles; i++)
            if (i % a.nshards == a.shard)
                files[k++] = files[i];
            else
                free(files[i]);
        nfiles = k;
    }
    /* Bazel's XML_OUTPUT_FILE receives the JUnit report unless --format junit sends it elsewhere */
    const char *xml_env = getenv("XML_OUTPUT_FILE");
    if (!a.junit && xml_env && *xml_env)
        a.junit = true, a.output = xml_env;
    FILE *junit = NULL;
    if (rc) {
        /* an error above */
    } else if (a.junit && a.output && !(junit = fopen(a.output, "w"))) {
        fprintf(stderr, "%s: error: cannot write: %s\n", a.output, strerror(errno));
        rc = 2;
    } else {
        if (a.junit && !a.output)
            junit = stdout;
        ft_opts o = {.arch = a.arch, .timeout = a.timeout, .jobs = a.jobs, .verbose = a.verbose,
                     .spread = a.spread, .interp = a.interp, .sandbox = a.sandbox,
                     .out = junit == stdout ? stderr : stdout, .junit = junit};
        ft_counts c;
        rc = ft_test(files, nfiles, &o, &c);
        if (junit && junit != stdout && fclose(junit) != 0) {
            fprintf(stderr, "%s: error: cannot write: %s\n", a.output, strerror(errno));
            rc = 2;
        }
    }
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free_run_args(&a);
    return rc;
}

/* ---- clifrun interpret FILE... ------------------------------------------------------ */

static volatile sig_atomic_t interp_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interp_interrupted = 1;
}

/* One file through the interpreter; returns 0, 1 (a line failed) or 2. */
static int interpret_file(const char *path, const char **exprs, int nexprs, const interp_opts *io)
{
    ir_file file;
    char *src;
    int rc = 0;
    ir_run_cmd *cmds = NULL;
    uint32_t ncmds = 0, *lines = NULL, nlines = 0;
    interp_ctx *ic = NULL;
    uint8_t *checked = NULL;
    if (!load(path, &file, &src, true)) {
        rc = 2;
        goto out;
    }
    cmds = calloc((size_t)nexprs + file.runs.n + 1, sizeof *cmds);
    checked = calloc(file.funcs.n + 1, 1);
    for (int i = 0; i < nexprs; i++) {
        ir_diag d;
        if (!reader_parse_invocation(&file, "-e", exprs[i], strlen(exprs[i]), &cmds[ncmds++], &d)) {
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
            goto out;
        }
    }
    if (!nexprs) {
        for (uint32_t i = 0; i < file.runs.n; i++)
            cmds[ncmds++] = file.runs.v[i];
        if (!ncmds && !main_cmd(&file, &cmds[ncmds++])) {
            rc = 2;
            goto out;
        }
    }
    ic = interp_new(&file);
    lines = ft_line_index(&file, &nlines);
    if (!ic || !checked || !lines) {
        fprintf(stderr, "clifrun: error: out of memory\n");
        rc = 2;
        goto out;
    }
    /* what the interpreter cannot run is bad input, found before anything runs */
    for (uint32_t i = 0; i < ncmds; i++) {
        ir_diag d;
        if (checked[cmds[i].func])
            continue;
        checked[cmds[i].func] = 1;
        if (!interp_supported(ic, cmds[i].func, &d)) {
            ir_diag_print(stderr, &d, cli_use_color());
            rc = 2;
            goto out;
        }
    }
    for (uint32_t i = 0; i < ncmds; i++) {
        const char *fpath = file.path;
        if (i < (uint32_t)nexprs)
            file.path = "-e";   /* -e lines are quoted from the command line */
        run_outcome oc;
        if (!ft_interp_run_cmd(ic, &file, lines, nlines, &cmds[i], io, stdout, RUN_FMT_LANES, &oc))
            rc = 1;
        file.path = fpath;
        fflush(stdout);
        if (oc.status == RUN_INTERRUPTED)
            break;      /* Ctrl-C: the rest is not wanted either */
    }
out:
    interp_free(ic);
    free(lines);
    free(checked);
    free(cmds);
    ir_file_free(&file);
    ft_free_file(src);
    return rc;
}

static int cmd_interpret(int argc, char **argv)
{
    const char **exprs = calloc((size_t)argc + 1, sizeof *exprs);
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    int nexprs = 0, npaths = 0, rc = 0;
    double timeout = 10;
    for (int i = 0; i < argc && !rc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if ((!strcmp(o, "--timeout") || !strcmp(o, "-e")) && !v) {
            rc = usage_error("%s needs a value", o);
        } else if (!strcmp(o, "--timeout")) {
            timeout = strtod(v, &end);
            if (*end || end == v || !(timeout >= 0) || timeout > 1e6)
                rc = usage_error("--timeout wants seconds, not '%s'", v);
            i++;
        } else if (!strcmp(o, "-e")) {
            exprs[nexprs++] = v;
            i++;
        } else if (common_opt(argc, argv, i)) {
            i++;        /* --target: the interpreter ignores target lines */
        } else if (o[0] == '-' && o[1]) {
            rc = usage_error("unknown option '%s' for clifrun interpret", o);
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (!rc && !npaths)
        rc = usage_error("%s", "interpret needs a file");
    if (!rc && nexprs && npaths > 1)
        rc = usage_error("%s", "-e calls functions of one file");
    if (!rc) {
        struct sigaction sa = {.sa_handler = on_sigint}, old;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old);
        interp_opts io = {.timeout = timeout, .interrupt = &interp_interrupted};
        for (int i = 0; i < npaths && !interp_interrupted; i++) {
            int r = interpret_file(paths[i], exprs, nexprs, &io);
            rc = r > rc ? r : rc;
        }
        sigaction(SIGINT, &old, NULL);
    }
    free(exprs);
    free(paths);
    return rc;
}

/* A failed write to standard output or standard error (a full disk,
 * `> /dev/full`, a closed pipe's EPIPE) is an error: status 2 at least. */
static int check_output(int rc)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno ? errno : EIO;
        fprintf(stderr, "clifrun: error: cannot write to standard output: %s\n", strerror(e));
        rc = rc > 2 ? rc : 2;
    }
    errno = 0;
    if (fflush(stderr) != 0 || ferror(stderr))
        rc = rc > 2 ? rc : 2;
    return rc;
}

/* clifrun help [COMMAND]: the usage, or a command's lines of it (its entry
 * under Commands and the options marked for it). */
static int cmd_help(int argc, char **argv)
{
    static const char *const cmds[] = {"run", "test", "interpret", "print", "optimize", "check",
                                       "bench", "cfg", "compile", "fuzz", "reduce", "targets", "help"};
    if (argc < 1) {
        cli_put_help(stdout, usage, strlen(usage));
        return 0;
    }
    const char *c = argv[0];
    size_t k = 0, n = sizeof cmds / sizeof *cmds;
    while (k < n && strcmp(cmds[k], c))
        k++;
    if (k == n) {
        fprintf(stderr, "clifrun help: no command '%s' (%s", c, cmds[0]);
        for (k = 1; k < n; k++)
            fprintf(stderr, ", %s", cmds[k]);
        fputs(")\n", stderr);
        return 2;
    }
    if (!strcmp(c, "cfg"))
        return cli_cfg_main(1, (char *[]){"--help", NULL});
    if (!strcmp(c, "fuzz"))
        return cli_fuzz(1, (char *[]){"--help", NULL});
    if (!strcmp(c, "reduce"))
        return cli_reduce(1, (char *[]){"--help", NULL});
    if (!strcmp(c, "help")) {
        puts("usage: clifrun help [COMMAND]   the usage of clifrun, or of COMMAND");
        return 0;
    }
    bool run = !strcmp(c, "run"), bare = !strcmp(c, "targets");    /* bare: no options */
    char tag[32];
    snprintf(tag, sizeof tag, "(%s)", c);
    printf("usage: clifrun %s%s\n\n", c, bare ? "" : run ? " [OPTIONS] FILE..." : " [OPTIONS] ARGS...");
    /* the command's entry, then its options: those marked (COMMAND), for
     * run/test/interpret the running options marked for no command, and
     * --target, --set, --help */
    bool running = run || !strcmp(c, "test") || !strcmp(c, "interpret");
    int section = 0;        /* 1 Commands, 2 Options */
    bool take = false;
    for (const char *p = usage; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
        char word[32] = "";
        sscanf(p, "%31s", word);
        if (p[0] != ' ') {
            section = !strncmp(p, "Commands:", 9) ? 1 : !strncmp(p, "Options", 7) ? 2 : 0;
            take = false;
        } else if (p[2] != ' ') {    /* a new entry */
            bool marked = len > 21 && p[20] == '(';     /* "(test) ..." */
            take = section == 1 ? !strcmp(word, c)
                 : section == 2 && !bare ? strstr(p, tag) || !strcmp(word, "--target") || !strcmp(word, "--set") ||
                                  !strcmp(word, "-h,") ||
                                  (running && !marked && (run || (strcmp(word, "-i") && strcmp(word, "-e"))))
                                : false;
        }
        if (take)
            cli_put_help(stdout, p, len);
        p += len;
    }
    puts("\nman clifrun has the whole story.");
    return 0;
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    int rc = check_output(dispatch(argc, argv));
    if (ends_here)
        _exit(rc);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        bool sandbox;
        if (isatty(0))
            return cli_load_libs(NULL, 0) && cli_sandbox(false, &sandbox)
                       ? repl_main(&(repl_opts){.sandbox = sandbox}) : 2;
        cli_put_help(stderr, usage, strlen(usage));
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help"))
        return cmd_help(argc - 2, argv + 2);
    /* `clifrun COMMAND --help`: that command's help */
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            if (!strcmp(cmd, "-e") || !strcmp(cmd, "--output") || (cmd[0] == '-' && strcmp(cmd, "-h") && strcmp(cmd, "--help")))
                break;
            if (strcmp(cmd, "-h") && strcmp(cmd, "--help") && strchr("abcdefghijklmnopqrstuvwxyz", cmd[0]) &&
                !strchr(cmd, '.') && !strchr(cmd, '/'))
                return cmd_help(1, (char *[]){(char *)cmd, NULL});
            break;
        }
    int grc = take_global_opts(&argc, argv);
    if (grc)
        return grc;
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        cli_put_help(stdout, usage, strlen(usage));
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        fputs("clifrun " CLIFRUN_VERSION "\n", stdout);  /* printf's code: 3 page faults */
        return 0;
    }
    /* one-shot commands map large files (ft_map_files); the REPL, test's
     * workers and fuzz read them */
    ft_map_files(strcmp(cmd, "test") && strcmp(cmd, "fuzz") && strcmp(cmd, "reduce"));
    if (!strcmp(cmd, "print"))
        return cmd_print(argc - 2, argv + 2);
    if (!strcmp(cmd, "optimize"))
        return cmd_optimize(argc - 2, argv + 2);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 2, argv + 2);
    if (!strcmp(cmd, "compile"))
        return cmd_compile(argc - 2, argv + 2);
    if (!strcmp(cmd, "test"))
        return cmd_test(argc - 2, argv + 2);
    if (!strcmp(cmd, "cfg"))
        return cli_cfg_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "interpret"))
        return cmd_interpret(argc - 2, argv + 2);
    if (!strcmp(cmd, "fuzz"))
        return cli_fuzz(argc - 2, argv + 2);
    if (!strcmp(cmd, "targets"))
        return cmd_targets(argc - 2, argv + 2);
    if (!strcmp(cmd, "reduce"))
        return cli_reduce(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    return cmd_run(argc - 1, argv + 1);
}
