/* clifrun fuzz and clifrun reduce: the command-line side of lib/fuzz. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "filetest/filetest.h"
#include "fuzz/fuzz.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fuzz_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "clifrun %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputs("\n(clifrun --help lists the commands and options)\n", stderr);
    return 2;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *v = x;
    return true;
}

static bool write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* ---- clifrun fuzz --------------------------------------------------------------- */

static const char fuzz_help[] =
    "usage: clifrun fuzz [OPTIONS]\n"
    "Random programs (lib/fuzz), each run line through the interpreter and\n"
    "through the JIT compiled with each register allocator at the program's\n"
    "opt_level, and with the linear one at the other; every difference\n"
    "is reduced and written to the output directory as a run test.  Exit\n"
    "status 1 if there is any.\n"
    "\n"
    "  --seed S        program k is the program of seed S + k (default: the time;\n"
    "                  a word that is not a number stands for its FNV-1a hash)\n"
    "  --count N       programs to run (default 100)\n"
    "  --skip K        start at program K\n"
    "  --target ARCH   {targets}; running needs the host's\n"
    "  --out DIR       where disagreements go, and the program a crash of clifrun\n"
    "                  itself was checking (default fuzz-out; made when needed)\n"
    "  --timeout S     per JIT call (default 2)\n"
    "  --no-reduce     write disagreements as generated\n"
    "  -v              a line per program\n"
    "  --print         write the program of seed S + K with expected values\n"
    "  --raw           write it as generated (any target, no expected values)\n"
    "  --list-ops      the opcode signatures used and left out, with why\n"
    "  --vectors, --no-vectors   128-bit vectors (default: where the back end and\n"
    "                  the reference have them: both targets)\n"
    "  --big, --no-big  big-endian loads and stores (default: on)\n"
    "  --one-level     only the program's opt_level (default: also the linear\n"
    "                  allocator at the other one, none <-> speed)\n"
    "  --max-insts N, --max-funcs N   program size (default 80, 4)\n";

static const char reduce_help[] =
    "usage: clifrun reduce [--until CMD [--safe]] [-o OUT] [-v] [--timeout S] FILE\n"
    "The smallest FILE for which the predicate still holds: by default, some\n"
    "run line gives the reference and the JIT (any register allocator)\n"
    "different answers, or the compiler reports an internal error; with\n"
    "--until CMD, `sh -c CMD` exits 0 with the candidate's path in $CLIF.\n"
    "Every candidate parses and verifies, so the result does.\n"
    "\n"
    "  -o OUT          write the result to OUT (default: standard output)\n"
    "  --safe          with --until: no edit makes the answer depend on the engine\n"
    "                  (an address reaching a result, an access leaving its slot,\n"
    "                  memory read before it is written), as the default predicate\n"
    "                  does; for predicates that compare two engines\n"
    "  -v              a line per pass that removed something\n"
    "  --timeout S     per JIT call of the default predicate (default 1)\n";

typedef struct fuzz_args {
    uint64_t seed, count, skip;
    jit_arch arch;
    const char *out;
    bool verbose, print, raw, list, no_reduce, seed_set, one_level;
    int vectors;            /* -1: the target's default */
    int big;                /* -1: the default */
    uint64_t max_insts, max_funcs;
    double timeout;
} fuzz_args;

static int parse_fuzz_args(int argc, char **argv, fuzz_args *a)
{
    *a = (fuzz_args){.count = 100, .out = "fuzz-out", .vectors = -1, .big = -1, .arch = jit_host_arch()};
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(o, "--seed") || !strcmp(o, "--count") || !strcmp(o, "--skip") ||
                     !strcmp(o, "--target") || !strcmp(o, "--out") || !strcmp(o, "--timeout") ||
                     !strcmp(o, "--max-insts") || !strcmp(o, "--max-funcs");
        if (takes && !v)
            return fuzz_usage("fuzz", "%s needs a value", o);
        if (takes)
            i++;
        if (!strcmp(o, "--seed")) {
            if (!parse_u64(v, &a->seed)) {
                /* any other text names a seed too: its FNV-1a hash (the
                 * summary prints the number, which reproduces it) */
                a->seed = 14695981039346656037ull;
                for (const char *q = v; *q; q++)
                    a->seed = (a->seed ^ (unsigned char)*q) * 1099511628211ull;
            }
            a->seed_set = true;
        } else if (!strcmp(o, "--count")) {
            if (!parse_u64(v, &a->count) || !a->count)
                return fuzz_usage("fuzz", "--count wants a number of programs from 1, not '%s'", v);
        } else if (!strcmp(o, "--skip")) {
            if (!parse_u64(v, &a->skip))
                return fuzz_usage("fuzz", "--skip wants a number of programs, not '%s'", v);
        } else if (!strcmp(o, "--max-insts")) {
            if (!parse_u64(v, &a->max_insts) || a->max_insts < 10 || a->max_insts > 100000)
                return fuzz_usage("fuzz", "--max-insts wants a number from 10 to 100000, not '%s'", v);
        } else if (!strcmp(o, "--max-funcs")) {
            if (!parse_u64(v, &a->max_funcs) || a->max_funcs < 1 || a->max_funcs > 8)
                return fuzz_usage("fuzz", "--max-funcs wants a number from 1 to 8, not '%s'", v);
        } else if (!strcmp(o, "--target")) {
            char msg[160];
            if (!(a->arch = jit_arch_parse(v, strlen(v))))
                return fuzz_usage("fuzz", "%s", cli_unknown_target(msg, sizeof msg, v));
        } else if (!strcmp(o, "--out")) {
            a->out = v;
        } else if (!strcmp(o, "--timeout")) {
            char *end;
            a->timeout = strtod(v, &end);
            if (*end || end == v || !(a->timeout > 0) || a->timeout > 1e6)
                return fuzz_usage("fuzz", "--timeout wants seconds, not '%s'", v);
        } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            cli_put_help(stdout, fuzz_help, strlen(fuzz_help));
            return -1;
        } else if (!strcmp(o, "-v")) {
            a->verbose = true;
        } else if (!strcmp(o, "--print")) {
            a->print = true;
        } else if (!strcmp(o, "--raw")) {
            a->raw = true;
        } else if (!strcmp(o, "--list-ops")) {
            a->list = true;
        } else if (!strcmp(o, "--vectors")) {
            a->vectors = 1;
        } else if (!strcmp(o, "--no-vectors")) {
            a->vectors = 0;
        } else if (!strcmp(o, "--one-level")) {
            a->one_level = true;
        } else if (!strcmp(o, "--big")) {
            a->big = 1;
        } else if (!strcmp(o, "--no-big")) {
            a->big = 0;
        } else if (!strcmp(o, "--no-reduce")) {
            a->no_reduce = true;
        } else {
            return fuzz_usage("fuzz", "unknown option or argument '%s'", o);
        }
    }
    if (!a->seed_set)
        a->seed = (uint64_t)time(NULL);
    return 0;
}

/* Reduce (unless told not to), then write one disagreement into the output
 * directory as a standalone run test.  Returns the path written, or NULL. */
static char *save_disagreement(fuzz_ctx *ctx, const fuzz_args *a, uint64_t seed, const fuzz_buf *prog,
                               const fuzz_report *r)
{
    const fuzz_disagreement *dd = &r->dis[0];
    char want[200], got[200];
    fuzz_outcome_format(&dd->want, want, sizeof want);
    fuzz_outcome_format(&dd->got, got, sizeof got);
    fuzz_buf text = {0}, comment = {0};
    fuzz_buf_put(&text, prog->s, prog->n);
    const char *level = NULL;
    if (dd->other_level) {
        /* the JIT that disagreed ran at the other opt_level: the file says so */
        level = strstr(text.s, "set opt_level=none\n") ? "speed" : "none";
        fuzz_buf_free(&text);
        const char *p = strstr(prog->s, "set opt_level="), *e = p ? strchr(p, '\n') : NULL;
        if (p && e) {
            fuzz_buf_put(&text, prog->s, (size_t)(p - prog->s));
            fuzz_buf_printf(&text, "set opt_level=%s", level);
            fuzz_buf_put(&text, e, prog->n - (size_t)(e - prog->s));
        } else {
            fuzz_buf_printf(&text, "set opt_level=%s\n", level);
            fuzz_buf_put(&text, prog->s, prog->n);
        }
    }
    fuzz_reduce_stats st = {0};
    ir_diag d;
    if (!a->no_reduce && r->ndis) {
        fuzz_buf red = {0};
        fuzz_pred_reset(ctx);
        if (fuzz_reduce("fuzz", prog->s, prog->n, fuzz_pred_disagree, ctx,
                        FUZZ_REDUCE_SAFE | FUZZ_REDUCE_STORES_FREE, &red, &st, NULL, &d)) {
            fuzz_buf_free(&text);
            text = red;
        } else {
            fuzz_buf_free(&red);
        }
    }
    fuzz_buf_printf(&comment, "clifrun fuzz --seed %" PRIu64 " --count 1 --target %s found this%s%s", seed,
                    jit_arch_name(a->arch), level ? " at opt_level=" : "", level ? level : "");
    if (st.lines_in)
        fuzz_buf_printf(&comment, " (reduced from %u to %u lines)", st.lines_in, st.lines_out);
    fuzz_buf_printf(&comment, "\n%s allocator: %s; the %s: %s\nexpected values from the %s",
                    cg_regalloc_name(dd->regalloc), got, fuzz_reference_name(), want, fuzz_reference_name());
    fuzz_buf out = {0};
    char *path = NULL;
    if (fuzz_expect(ctx, "fuzz", text.s, text.n, comment.s, &out, &d)) {
        size_t n = strlen(a->out) + 64;
        path = malloc(n);
        snprintf(path, n, "%s/seed-%" PRIu64 ".clif", a->out, seed);
        if (!write_file(path, out.s, out.n)) {
            fprintf(stderr, "%s: error: cannot write: %s\n", path, strerror(errno));
            free(path);
            path = NULL;
        }
    }
    fuzz_buf_free(&text);
    fuzz_buf_free(&comment);
    fuzz_buf_free(&out);
    return path;
}

/* A crash of clifrun itself (the compiler, lib/opt, the reference) kills
 * the campaign: the handler names the program being checked and keeps it
 * in the output directory, with only async-signal-safe calls on what the
 * loop prepared, then lets the signal take its course (the default, or
 * the sanitizer's handler).  The run-time guard, set up later, forwards
 * crashes outside JIT code here. */
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
static struct sigaction crash_old[sizeof crash_signals / sizeof crash_signals[0]];
typedef struct crash_info {
    char dir[2048], path[2600], msg[3000];
    size_t nmsg, nwhere;        /* the message up to "; its program", then all */
    const char *prog;
    size_t nprog;
} crash_info;
/* On the heap from crash_watch on: in .bss its 7.5 KiB put the start
 * path's variables after it on a page of their own, a page fault of
 * every start. */
static crash_info *crash;

static void on_crash(int sig)
{
    static const char no_file[] = " (the program could not be kept)\n";
    bool kept = false;
    if (crash->prog) {
        mkdir(crash->dir, 0777);
        int fd = open(crash->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        kept = fd >= 0 && write(fd, crash->prog, crash->nprog) == (ssize_t)crash->nprog;
        if (fd >= 0)
            close(fd);
    }
    if (crash->nmsg && write(2, crash->msg, kept || !crash->prog ? crash->nwhere : crash->nmsg) >= 0 &&
        crash->prog && !kept)
        (void)!write(2, no_file, sizeof no_file - 1);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        if (crash_signals[i] == sig)
            sigaction(sig, &crash_old[i], NULL);
    raise(sig);
}

static void crash_watch(const char *out)
{
    crash = ir_xcalloc(1, sizeof *crash);
    snprintf(crash->dir, sizeof crash->dir, "%s", out);
    struct sigaction sa = {.sa_handler = on_crash, .sa_flags = SA_RESETHAND | SA_NODEFER};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, &crash_old[i]);
}

/* The program of seed s is being checked; prog NULL: it is being
 * generated or its results reported (a crash names the seed alone). */
static void crash_note(uint64_t s, const fuzz_buf *prog)
{
    if (!crash)
        return;
    crash->prog = NULL, crash->nmsg = 0;
    if (!prog) {
        int n = snprintf(crash->msg, sizeof crash->msg,
                         "\nclifrun fuzz: clifrun crashed at seed %" PRIu64 ", outside its program's check "
                         "(clifrun fuzz --seed %" PRIu64 " --count 1 repeats it)\n", s, s);
        crash->nwhere = n > 0 && (size_t)n < sizeof crash->msg ? (size_t)n : 0;
        crash->nmsg = crash->nwhere;
        return;
    }
    snprintf(crash->path, sizeof crash->path, "%s/crash-%" PRIu64 ".clif", crash->dir, s);
    int n = snprintf(crash->msg, sizeof crash->msg, "\nclifrun fuzz: clifrun crashed while checking seed %" PRIu64, s);
    crash->nmsg = n > 0 ? (size_t)n : 0;
    n = snprintf(crash->msg + crash->nmsg, sizeof crash->msg - crash->nmsg,
                 "; its program: %s (clifrun fuzz --seed %" PRIu64 " --count 1 repeats it)\n", crash->path, s);
    crash->nwhere = crash->nmsg + (n > 0 ? (size_t)n : 0);
    if (crash->nwhere >= sizeof crash->msg)
        crash->nwhere = sizeof crash->msg - 1;
    crash->prog = prog->s, crash->nprog = prog->n;
}

static bool make_out_dir(const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST)
        return true;
    fprintf(stderr, "%s: error: cannot create the output directory: %s\n", dir, strerror(errno));
    return false;
}

int cli_fuzz(int argc, char **argv)
{
    fuzz_args a;
    int rc = parse_fuzz_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    fuzz_gen_opts go;
    fuzz_gen_opts_init(&go, a.arch);
    go.vectors = a.vectors >= 0 ? a.vectors == 1 : fuzz_vectors_supported(a.arch);
    if (a.big >= 0)
        go.big = a.big == 1;
    if (a.max_insts)
        go.max_insts = (unsigned)a.max_insts;
    if (a.max_funcs)
        go.max_funcs = (unsigned)a.max_funcs;
    if (a.list) {
        fuzz_list_ops(stdout, &go);
        return 0;
    }
    ir_diag d;
    if (a.raw) {
        /* the generator alone: any target on any host */
        fuzz_buf prog = {0};
        bool ok = fuzz_generate(a.seed + a.skip, &go, &prog, &d);
        if (ok)
            fputs(prog.s, stdout);
        else
            fprintf(stderr, "clifrun fuzz: error: %s\n", d.msg);
        fuzz_buf_free(&prog);
        return ok ? 0 : 2;
    }
    if (a.arch != jit_host_arch() && !a.print) {
        fprintf(stderr,
                "clifrun fuzz: error: --target %s: this %s host can only run %s code, and the fuzzer runs every "
                "program (the JIT against the %s); run it on an %s host or under qemu-%s\n",
                jit_arch_name(a.arch), jit_arch_name(jit_host_arch()), jit_arch_name(jit_host_arch()),
                fuzz_reference_name(), jit_arch_name(a.arch), jit_arch_name(a.arch));
        return 2;
    }
    fuzz_opts fo = {.timeout = a.timeout, .other_level = !a.one_level};
    if (!a.print)
        crash_watch(a.out);
    fuzz_ctx *ctx = fuzz_ctx_new(&fo, &d);
    if (!ctx) {
        fprintf(stderr, "clifrun fuzz: error: %s\n", d.msg);
        return 2;
    }
    if (a.print) {
        fuzz_buf prog = {0}, out = {0};
        uint64_t s = a.seed + a.skip;
        bool ok = fuzz_generate(s, &go, &prog, &d) && fuzz_expect(ctx, "fuzz", prog.s, prog.n, NULL, &out, &d);
        if (ok)
            fputs(out.s, stdout);
        else
            fprintf(stderr, "clifrun fuzz: seed %" PRIu64 ": %u:%u: error: %s\n%s", s, d.line, d.col, d.msg,
                    prog.s ? prog.s : "");
        fuzz_buf_free(&prog);
        fuzz_buf_free(&out);
        fuzz_ctx_free(ctx);
        return ok ? 0 : 1;
    }
    bool have_dir = false;
    unsigned long programs = 0, runs = 0, ndis = 0, bad = 0, skipped = 0, referr = 0;
    double t0 = now(), last = t0;
    bool tty = isatty(2);
    for (uint64_t k = a.skip; k < a.skip + a.count; k++) {
        uint64_t s = a.seed + k;
        fuzz_buf prog = {0};
        crash_note(s, NULL);
        if (!fuzz_generate(s, &go, &prog, &d)) {
            fprintf(stderr, "clifrun fuzz: error: %s\n", d.msg);
            fuzz_buf_free(&prog);
            rc = 2;
            break;
        }
        fuzz_report r;
        crash_note(s, &prog);
        uint32_t n = fuzz_check(ctx, "fuzz", prog.s, prog.n, &r);
        programs++;
        runs += r.runs;
        if (r.invalid) {
            /* the generator wrote something the reader or verifier refuses */
            bad++;
            fprintf(stdout, "generator bug: seed %" PRIu64 ": %u:%u: %s\n", s, r.diag.line, r.diag.col, r.diag.msg);
            if ((have_dir = have_dir || make_out_dir(a.out))) {
                char path[4096];
                snprintf(path, sizeof path, "%s/genbug-%" PRIu64 ".clif", a.out, s);
                write_file(path, prog.s, prog.n);
            }
        } else if (r.skipped) {
            skipped++;
        } else if (r.ref_error) {
            referr++;
            if (a.verbose)
                printf("seed %" PRIu64 ": the %s could not run a line: %s\n", s, fuzz_reference_name(), r.why);
        }
        if (n) {
            ndis += n;
            char want[200], got[200];
            fuzz_outcome_format(&r.dis[0].want, want, sizeof want);
            fuzz_outcome_format(&r.dis[0].got, got, sizeof got);
            printf("seed %" PRIu64 ": %u disagreement%s, first at line %u: %s allocator%s: %s; %s: %s\n", s, n,
                   n == 1 ? "" : "s", r.dis[0].line, cg_regalloc_name(r.dis[0].regalloc),
                   r.dis[0].other_level ? " at the other opt_level" : "", got, fuzz_reference_name(), want);
            fflush(stdout);
            char *path = NULL;
            if ((have_dir = have_dir || make_out_dir(a.out)))
                path = save_disagreement(ctx, &a, s, &prog, &r);
            if (path)
                printf("  written to %s\n", path);
            free(path);
        } else if (a.verbose) {
            printf("seed %" PRIu64 ": %u run lines agree%s\n", s, r.runs, r.skipped ? " (skipped)" : "");
        }
        crash_note(s, NULL);
        fuzz_buf_free(&prog);
        double t = now();
        if (tty && !a.verbose && t - last > 0.5) {
            fprintf(stderr, "\r%lu programs, %lu run lines, %lu disagreements, %.0f programs/s ", programs, runs,
                    ndis, programs / (t - t0));
            last = t;
        }
    }
    double secs = now() - t0;
    if (tty && !a.verbose)
        fputs("\r", stderr);
    printf("%lu programs, %lu run lines, %lu disagreements, %.0f programs/s (seed %" PRIu64 ", %s, %s, "
           "against the %s",
           programs, runs, ndis, secs > 0 ? programs / secs : 0.0, a.seed, jit_arch_name(a.arch),
           go.vectors ? "vectors" : "no vectors", fuzz_reference_name());
    if (skipped)
        printf(", %lu skipped for ISA flags", skipped);
    if (referr)
        printf(", %lu with a line the %s could not finish", referr, fuzz_reference_name());
    if (bad)
        printf(", %lu generator bugs", bad);
    printf(")\n");
    fuzz_ctx_free(ctx);
    if (rc)
        return rc;
    return ndis || bad ? 1 : 0;
}

/* ---- clifrun reduce ------------------------------------------------------------- */

/* --until CMD: the candidate goes to a file of its own, CMD runs through
 * sh -c with its path in $CLIF, exit status 0 means interesting. */
typedef struct until_pred {
    const char *cmd;
    char *path;             /* the candidate's file */
    bool verbose;
} until_pred;

static bool pred_until(void *arg, const char *text, size_t len)
{
    until_pred *u = arg;
    if (!write_file(u->path, text, len))
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        setenv("CLIF", u->path, 1);
        if (!u->verbose && freopen("/dev/null", "w", stdout) && freopen("/dev/null", "w", stderr)) {
            /* quiet: the predicate's output would drown the log */
        }
        execl("/bin/sh", "sh", "-c", u->cmd, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int cli_reduce(int argc, char **argv)
{
    const char *until = NULL, *out = NULL, *path = NULL;
    bool verbose = false, safe = false;
    double timeout = 1;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(o, "--until") || !strcmp(o, "-o") || !strcmp(o, "--timeout");
        if (takes && !v)
            return fuzz_usage("reduce", "%s needs a value", o);
        if (takes)
            i++;
        if (!strcmp(o, "--until")) {
            until = v;
        } else if (!strcmp(o, "-o")) {
            out = v;
        } else if (!strcmp(o, "--timeout")) {
            char *end;
            timeout = strtod(v, &end);
            if (*end || end == v || !(timeout > 0) || timeout > 1e6)
                return fuzz_usage("reduce", "--timeout wants seconds, not '%s'", v);
        } else if (!strcmp(o, "-v")) {
            verbose = true;
        } else if (!strcmp(o, "--safe")) {
            safe = true;
        } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            fputs(reduce_help, stdout);
            return 0;
        } else if (o[0] == '-' && o[1]) {
            return fuzz_usage("reduce", "unknown option '%s'", o);
        } else if (!path) {
            path = o;
        } else {
            return fuzz_usage("reduce", "%s", "one file at a time");
        }
    }
    if (!path)
        return fuzz_usage("reduce", "%s", "no file given");
    size_t len;
    char *src = ft_read_file(path, &len);
    if (!src) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        return 2;
    }
    ir_diag d;
    fuzz_ctx *ctx = NULL;
    until_pred up = {.cmd = until, .verbose = verbose};
    char dir[] = "/tmp/clifrun-reduce-XXXXXX";
    const char *tmp = getenv("TMPDIR");
    char dirbuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s/clifrun-reduce-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int rc = 0;
    if (until) {
        if (!mkdtemp(dirbuf) && !mkdtemp(strcpy(dirbuf, dir))) {
            fprintf(stderr, "clifrun reduce: error: cannot create a temporary directory: %s\n", strerror(errno));
            free(src);
            return 2;
        }
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        up.path = malloc(strlen(dirbuf) + strlen(base) + 2);
        sprintf(up.path, "%s/%s", dirbuf, base);
    } else {
        fuzz_opts fo = {.timeout = timeout};
        if (!(ctx = fuzz_ctx_new(&fo, &d))) {
            fprintf(stderr, "clifrun reduce: error: %s\n", d.msg);
            free(src);
            return 2;
        }
    }
    fuzz_buf red = {0}, final = {0};
    fuzz_reduce_stats st;
    if (ctx)
        fuzz_pred_reset(ctx);
    bool ok = fuzz_reduce(path, src, len, until ? pred_until : fuzz_pred_disagree, until ? (void *)&up : ctx,
                          until ? (safe ? FUZZ_REDUCE_SAFE : 0) : FUZZ_REDUCE_SAFE | FUZZ_REDUCE_STORES_FREE, &red, &st, verbose ? stderr : NULL, &d);
    if (!ok) {
        if (d.line)
            ir_diag_print(stderr, &d, cli_use_color());
        else if (until)
            fprintf(stderr, "%s: error: %s (`%s` exits non-zero on it)\n", path, d.msg, until);
        else
            fprintf(stderr, "%s: error: %s (no run line gives the %s and the JIT different answers, and the "
                            "compiler reports no internal error)\n",
                    path, d.msg, fuzz_reference_name());
        rc = 2;
    } else {
        const fuzz_buf *res = &red;
        /* the default predicate's result gets the reference's expected values */
        if (!until && fuzz_expect(ctx, path, red.s, red.n, NULL, &final, &d))
            res = &final;
        if (out && !write_file(out, res->s, res->n)) {
            fprintf(stderr, "%s: error: cannot write: %s\n", out, strerror(errno));
            rc = 2;
        } else if (!out) {
            fwrite(res->s, 1, res->n, stdout);
        }
        fprintf(stderr, "clifrun reduce: %u lines to %u, %u candidates tested (%u did not verify)\n", st.lines_in,
                st.lines_out, st.tests, st.rejected);
    }
    if (up.path) {
        unlink(up.path);
        rmdir(dirbuf);
        free(up.path);
    }
    fuzz_buf_free(&red);
    fuzz_buf_free(&final);
    fuzz_ctx_free(ctx);
    free(src);
    return rc;
}
