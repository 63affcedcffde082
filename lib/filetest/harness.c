/* lib/filetest/harness.c: `clifrun test` — Cranelift's filetest rules over
 * many files.  Files run in forked worker processes (-j of them, each with
 * its own jit_ctx: lib/jit is single-threaded), so a bug in the compiler
 * that crashes or hangs a worker fails the file it was on, a new worker
 * takes its place, and the rest go on.  A worker takes the next file from
 * a counter shared with the others (no round trip through the parent per
 * file) and sends its records through a pipe in batches; the parent sleeps
 * until a batch comes and prints results in file order. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "filetest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- collecting files ------------------------------------------------------------ */

typedef IR_VEC(char *) strvec;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_clif_ext(const char *s)
{
    size_t l = strlen(s);
    return l > 5 && !strcmp(s + l - 5, ".clif");
}

/* *.clif under dir, recursively; returns how many were added. */
static size_t walk(const char *dir, strvec *out)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    size_t first = out->n, added = 0;
    strvec subdirs = {0};
    for (struct dirent *de; (de = readdir(dp));) {
        if (de->d_name[0] == '.')
            continue;
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        char *p = ir_xmalloc(l);
        snprintf(p, l, "%s/%s", dir, de->d_name);
        /* the entry's type from readdir where the file system gives it
         * (no stat per file); a link or an unknown type is stat'ed */
        struct stat st;
        bool is_dir = de->d_type == DT_DIR;
        if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK)
            is_dir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
        if (is_dir) {
            ir_vec_push(&subdirs, p);
        } else if (has_clif_ext(de->d_name)) {
            ir_vec_push(out, p);
            added++;
        } else {
            free(p);
        }
    }
    closedir(dp);
    if (out->n > first)
        qsort(out->v + first, out->n - first, sizeof *out->v, by_name);
    if (subdirs.n)
        qsort(subdirs.v, subdirs.n, sizeof *subdirs.v, by_name);
    for (uint32_t i = 0; i < subdirs.n; i++) {
        added += walk(subdirs.v[i], out);
        free(subdirs.v[i]);
    }
    ir_vec_free(&subdirs);
    return added;
}

bool ft_collect(char *const *paths, int n, char ***files, size_t *nfiles, ir_diag *d)
{
    strvec out = {0};
    memset(d, 0, sizeof *d);
    for (int i = 0; i < n; i++) {
        struct stat st;
        d->file = paths[i];
        if (!strcmp(paths[i], "-")) {   /* standard input */
            ir_vec_push(&out, ir_xstrdup(paths[i]));
            continue;
        }
        if (stat(paths[i], &st) != 0) {
            ir_diag_set(d, 0, 0, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (!S_ISDIR(st.st_mode)) {
            ir_vec_push(&out, ir_xstrdup(paths[i]));
            continue;
        }
        /* "dir/" and "dir" name the same files */
        char *dir = ir_xstrdup(paths[i]);
        for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--)
            dir[l - 1] = 0;
        size_t added = walk(dir, &out);
        free(dir);
        if (!added) {
            ir_diag_set(d, 0, 0, "no .clif file in this directory");
            goto fail;
        }
    }
    *files = out.v;
    *nfiles = out.n;
    return true;
fail:
    for (uint32_t i = 0; i < out.n; i++)
        free(out.v[i]);
    ir_vec_free(&out);
    return false;
}

/* ---- records from a worker ----------------------------------------------------------
 * A record is a type byte, a field count, then each field as a 32-bit
 * length and its bytes.  'F' a file begins: its number (32 bits); 'N' run
 * lines; 'C' a case: status (a byte) and line (32 bits), then target,
 * name, msg and secs (a double) unless it passed and no JUnit report wants
 * those; 'P' cases that passed and 'S' cases skipped for one reason, when
 * no JUnit report wants them one by one: how many (32 bits), how many of
 * them had a line (32 bits), the reason ("" for 'P'); 'L' text for the
 * report; 'V' a -v line; 'D' the file is done: how long it took (a
 * double). */

typedef struct sink {
    int fd;
    size_t len, cap;        /* buf[0, len): whole records, not yet written to fd */
    uint64_t base;          /* bytes written to fd before */
    uint32_t claim;         /* the file the worker took last (IR_NONE: none) */
    bool eager;             /* sent at each file's start and end (a careful worker) */
    double last;            /* of the last flush */
    double case_t0;         /* when the file's last case ended (or it began) */
    bool full;              /* every case with its name and time (JUnit) */
    bool verbose;           /* -v: 'V' records */
    size_t count_at;        /* buf's last record is a 'P' or 'S' at count_at - 1 (0: it is not) */
    char *buf;              /* cap bytes, after the header in the same mapping */
} sink;

/* The sink lives in memory the parent maps for the worker's slot, shared
 * with the worker and its child processes (the calls run there,
 * run_batch_run): a record a child makes is the worker's as soon as it is
 * made, and what a worker that died had not sent is the parent's to read
 * (sink_unsent).  So a worker sends its records in batches, not a write
 * per file. */
#define SINK_CAP ((size_t)4 << 20)
static sink *sink_new(void)
{
    sink *s = mmap(NULL, sizeof *s + SINK_CAP, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED)
        return NULL;
    *s = (sink){.fd = -1, .cap = SINK_CAP, .claim = IR_NONE, .buf = (char *)(s + 1)};
    return s;
}

/* In the parent, once the worker and its children are dead and got
 * bytes of it came through the pipe: the records it had made and not sent. */
static const char *sink_unsent(const sink *s, uint64_t got, size_t *n)
{
    size_t len = s->len;
    uint64_t base = s->base;
    bool in = got >= base && got - base <= len && len <= s->cap;
    *n = in ? len - (size_t)(got - base) : 0;
    return in ? s->buf + (got - base) : s->buf;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        c += w, n -= (size_t)w;
    }
}

/* Stores to the sink in program order, whenever the process dies. */
#define SINK_ORDER() atomic_signal_fence(memory_order_seq_cst)

static void flush_sink(sink *s)
{
    size_t n = s->len;
    put_all(s->fd, s->buf, n);
    SINK_ORDER();
    s->len = 0;         /* first: a death between the two reads as all sent */
    s->count_at = 0;
    SINK_ORDER();
    s->base += n;
    s->last = now();
}

/* Records are batched (a write per record costs more than the record), but
 * sent at least every half second, so the parent sees a slow file move.
 * Inline where the fields' number and sizes are constants (a case that
 * passed: most records), its copies then a few moves. */
static inline __attribute__((always_inline)) void record_fields(sink *s, char type, int nf, const char *const *f,
                                                                const uint32_t *lens)
{
    size_t total = 2;
    for (int i = 0; i < nf; i++)
        total += 4 + (size_t)lens[i];
    if (s->len + total > s->cap)
        flush_sink(s);
    char *big = NULL;
    if (total > s->cap && !(big = ir_xmalloc(total)))
        return;
    char *p = big ? big : s->buf + s->len, *start = p;
    *p++ = type;
    *p++ = (char)nf;
    for (int i = 0; i < nf; i++) {
        uint32_t l = lens[i];
        memcpy(p, &l, 4);
        memcpy(p + 4, f[i], l);
        p += 4 + l;
    }
    if (big) {
        put_all(s->fd, start, total);
        SINK_ORDER();
        s->base += total;
        free(big);
        return;
    }
    SINK_ORDER();
    s->count_at = 0;
    s->len += total;    /* the record counts once it is whole */
    if ((s->eager && (type == 'D' || type == 'N' || type == 'F')) || s->len >= 32768 ||
        (double)run_coarse_ns() * 1e-9 - s->last > 0.5)
        flush_sink(s);
}

static void record(sink *s, char type, int nf, const char *const *f, const uint32_t *lens)
{
    record_fields(s, type, nf, f, lens);
}

static void rec_text(sink *s, char type, const char *text)
{
    uint32_t l = (uint32_t)strlen(text);
    record(s, type, 1, &text, &l);
}

/* Does the record of a case with this status need its name (rec_case)? */
static bool wants_name(const sink *s, int status)
{
    return s->full || status != FT_PASS;
}

/* A case's time is the time since the file's previous case (or its
 * start): the cases of a file are run one after another.  A case that
 * passed is only counted, unless the JUnit report wants it whole (name
 * may then be NULL). */
/* A case only counted ('P' passed, 'S' skipped for why): into the record
 * of its type and reason at the end of the sink, or a new one.  Each count
 * is one store, so what a death leaves is whole (the record itself
 * already is).  Layout: type, 3, then n at 6, the lines at 14, why at 22. */
static void rec_count(sink *s, char type, uint32_t line, const char *why, uint32_t wl)
{
    uint32_t c[3] = {1, line != 0, wl}, pwl;
    size_t len = 22 + (size_t)wl;
    char *p = s->count_at && s->count_at - 1 + len == s->len ? s->buf + s->count_at - 1 : NULL;
    if (p)
        memcpy(&pwl, p + 18, 4);
    if (p && p[0] == type && pwl == wl && (!wl || !memcmp(p + 22, why, wl))) {
        uint32_t n, nl;
        memcpy(&n, p + 6, 4);
        memcpy(&nl, p + 14, 4);
        c[0] += n, c[1] += nl;
        memcpy(p + 6, &c[0], 4);
        SINK_ORDER();
        memcpy(p + 14, &c[1], 4);
        if ((double)run_coarse_ns() * 1e-9 - s->last > 0.5)
            flush_sink(s);
        return;
    }
    const char *f[3] = {(const char *)&c[0], (const char *)&c[1], why};
    const uint32_t l[3] = {4, 4, wl};
    size_t at = s->len + len <= s->cap ? s->len : 0;    /* a flush first otherwise */
    record_fields(s, type, 3, f, l);
    if (s->len == at + len)     /* still there: not flushed */
        s->count_at = at + 1;
}

static void rec_case(sink *s, int status, uint32_t line, const char *target, const char *name,
                     const char *msg)
{
    uint8_t st = (uint8_t)status;
    if (!wants_name(s, status)) {   /* passed */
        rec_count(s, 'P', line, "", 0);
        return;
    }
    if (status == FT_SKIPPED && !s->full) {
        msg = msg ? msg : "";
        rec_count(s, 'S', line, msg, (uint32_t)strlen(msg));
        return;
    }
    double t = now(), secs = t - s->case_t0;
    s->case_t0 = t;
    msg = msg ? msg : "";
    const char *f[6] = {(const char *)&st, (const char *)&line, target, name, msg, (const char *)&secs};
    uint32_t l[6] = {1, 4, (uint32_t)strlen(target), (uint32_t)strlen(name), (uint32_t)strlen(msg), 8};
    record(s, 'C', 6, f, l);
}

/* ---- one file, in the worker --------------------------------------------------------- */

typedef struct file_ctx {
    sink *s;
    const ft_opts *o;
    bool careful;           /* calls in child processes (run_batch_run) */
    const ir_file *file;
    uint32_t *lines, nlines;
} file_ctx;

/* The run line as written, from its `%name` (or `run`) to the end of the line. */
static char *case_name(const file_ctx *fc, const ir_run_cmd *rc)
{
    size_t len;
    const char *p = ft_line_text(fc->file, fc->lines, fc->nlines, rc->line, &len);
    if (!p)
        return ir_xstrdup("?");
    size_t from = rc->col > 0 && rc->col - 1 <= len ? rc->col - 1 : 0;
    while (len > from && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    return ir_xstrndup(p + from, len - from);
}

static char *diag_text(const ir_diag *d)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return ir_xstrdup(d->msg);
    fputs("FAIL ", f);
    ir_diag_print(f, d, false);
    fclose(f);
    return buf;
}

/* s at buf + *k, within size - 1 bytes (snprintf's printf machinery cost
 * 600 instructions a label) */
static void label_put(char *buf, size_t size, size_t *k, const char *s)
{
    size_t n = strlen(s);
    if (n > size - 1 - *k)
        n = size - 1 - *k;
    memcpy(buf + *k, s, n);
    *k += n;
}

static char *target_label(const ir_file *file, uint32_t ti)
{
    if (ti == IR_NONE)
        return ir_xstrdup(jit_arch_name(jit_host_arch()));
    const ir_target *t = &file->targets.v[ti];
    char buf[512];  /* "arch flag name=value ...", cut as snprintf would */
    size_t k = 0;
    label_put(buf, sizeof buf, &k, t->arch);
    for (uint32_t i = 0; i < t->nflags; i++) {
        const ir_setting *s = &file->target_flags.v[t->flags + i];
        label_put(buf, sizeof buf, &k, " ");
        label_put(buf, sizeof buf, &k, s->name);
        if (s->value) {
            label_put(buf, sizeof buf, &k, "=");
            label_put(buf, sizeof buf, &k, s->value);
        }
    }
    buf[k] = 0;
    return ir_xstrdup(buf);
}

/* Every run line of the file as skipped (or failed, with msg) for target. */
static void all_lines(const file_ctx *fc, int status, const char *target, const char *msg)
{
    const ir_file *file = fc->file;
    for (uint32_t r = 0; r < file->runs.n; r++) {
        char *name = case_name(fc, &file->runs.v[r]);
        rec_case(fc->s, status, file->runs.v[r].line, target, name, msg);
        free(name);
    }
    if (!file->runs.n)
        rec_case(fc->s, status, 0, target, "(file)", msg);
}

static void verbose_line(sink *s, const char *path, const char *label, unsigned p, unsigned f,
                         unsigned k, const char *why)
{
    char buf[1024];
    if (!s->verbose)    /* only -v prints them */
        return;
    if (why)
        snprintf(buf, sizeof buf, "skip %s%s%s%s: %s (%u run line%s)", path, label ? " [" : "",
                 label ? label : "", label ? "]" : "", why, k, k == 1 ? "" : "s");
    else
        snprintf(buf, sizeof buf, "%s %s%s%s%s: %u passed, %u failed", f ? "FAIL" : "ok  ", path,
                 label ? " [" : "", label ? label : "", label ? "]" : "", p, f);
    rec_text(s, 'V', buf);
}

typedef struct target_run {
    const file_ctx *fc;
    const ft_module *m;
    const char *label;
} target_run;

/* A run line's report: one memory stream for the process (open_memstream
 * zeroes 9 KiB each time), rewound when the last line wrote to it; a line
 * that passed and prints nothing writes nothing (RUN_REPORT_FAILURES), and
 * its report is not read.  NULL if it cannot be made. */
static struct {
    FILE *f;
    char *buf;
    size_t n;
    bool read;      /* report_text since report_begin */
} rep;

static FILE *report_begin(void)
{
    if (!rep.f)
        rep.f = open_memstream(&rep.buf, &rep.n);
    else if (rep.read)
        rewind(rep.f);
    rep.read = false;
    return rep.f;
}

/* What the line wrote since report_begin. */
static const char *report_text(void)
{
    rep.read = true;
    fputc(0, rep.f);
    fflush(rep.f);
    return rep.buf ? rep.buf : "";
}

/* What a `; print:` line printed, in the report: "file:line: [target] %f(1) -> 3". */
static void print_record(const file_ctx *fc, const ir_run_cmd *rc, const char *label, const char *out)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return;
    fprintf(f, "%s:%u: %s%s%s%s", fc->file->path, rc->line, label && *label ? "[" : "", label ? label : "",
            label && *label ? "] " : "", out ? out : "");
    fclose(f);
    rec_text(fc->s, 'L', buf);
    free(buf);
}

static void line_record(const target_run *tr, uint32_t r, bool ok, const char *report)
{
    const ir_run_cmd *rc = &tr->fc->file->runs.v[r];
    /* a line of a function that did not compile could not run: an error */
    int status = ok ? FT_PASS : tr->m->fn_err[rc->func] ? FT_CASE_ERROR : FT_FAIL;
    char *name = wants_name(tr->fc->s, status) ? case_name(tr->fc, rc) : NULL;
    rec_case(tr->fc->s, status, rc->line, tr->label, name, ok ? NULL : report);
    if (!ok && !tr->m->fn_err[rc->func])
        rec_text(tr->fc->s, 'L', report);
    else if (ok && rc->kind == IR_RUN_PRINT)
        print_record(tr->fc, rc, tr->label, report);
    free(name);
}

/* In the child (or the worker): run line r, its record into the shared sink. */
static bool line_item(void *arg, uint32_t r)
{
    target_run *tr = arg;
    FILE *f = report_begin();
    if (!f)
        return false;
    bool print = tr->fc->file->runs.v[r].kind == IR_RUN_PRINT;   /* its output is shown */
    bool ok = ft_run_cmd(tr->m, &tr->fc->file->runs.v[r], tr->fc->o->timeout, f,
                         RUN_FMT_LANES | (print ? 0 : RUN_REPORT_FAILURES), NULL);
    line_record(tr, r, ok, ok && !print ? "" : report_text());
    if (tr->fc->careful)    /* reported even if the worker dies next */
        flush_sink(tr->fc->s);
    return ok;
}

/* In the worker: run line r ended the child that ran it. */
static void line_ended(void *arg, uint32_t r, const run_outcome *oc)
{
    const target_run *tr = arg;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (f) {
        ft_report(tr->m, &tr->fc->file->runs.v[r], NULL, oc, f, RUN_FMT_LANES | RUN_REPORT_FAILURES);
        fclose(f);
    }
    line_record(tr, r, false, buf ? buf : oc->msg);
    free(buf);
}


/* Compile and run the file for one target: a case per run line.  A worker
 * runs the calls itself, in its sandbox; a careful one (a file that ended
 * a worker is run again by one) runs them in child processes, so that the
 * line that ends one is reported and the next runs. */
static void run_target(const file_ctx *fc, jit_ctx *ctx, const cg_target *t, const char *label)
{
    const ir_file *file = fc->file;
    ft_module m;
    ir_diag d;
    if (!ft_module_build_chain(&m, ctx, file, t, FT_PARTIAL, -1, -1, fc->lines, fc->nlines, &d)) {
        char *msg = diag_text(&d);
        rec_text(fc->s, 'L', msg);
        all_lines(fc, FT_CASE_ERROR, label, msg);
        verbose_line(fc->s, file->path, label, 0, file->runs.n ? file->runs.n : 1, 0, NULL);
        free(msg);
        return;
    }
    /* each function that does not compile is reported once; its run
     * lines fail without a line each in the report */
    for (uint32_t i = 0; i < file->funcs.n; i++)
        if (m.fn_err[i]) {
            char *msg = diag_text(m.fn_err[i]);
            rec_text(fc->s, 'L', msg);
            free(msg);
        }
    target_run tr = {fc, &m, label};
    if (!fc->careful) {
        unsigned failed = 0;
        for (uint32_t r = 0; r < file->runs.n; r++)
            failed += !line_item(&tr, r);
        verbose_line(fc->s, file->path, label, file->runs.n - failed, failed, 0, NULL);
        ft_module_free(&m);
        return;
    }
    /* one child process for the lines, sandboxed: a line that ends it
     * (exit, abort, the sandbox, stuck in host code) fails, the next runs */
    run_batch b = {.n = file->runs.n, .item = line_item, .ended = line_ended, .arg = &tr,
                   .timeout = fc->o->timeout, .sandbox = fc->o->sandbox, .keep_fd = fc->s->fd};
    run_batch_result br;
    bool ok = run_batch_run(&b, &br);
    unsigned failed = br.failed;
    for (uint32_t r = br.next; !ok && r < file->runs.n; r++) {
        char msg[400], *name = case_name(fc, &file->runs.v[r]);
        snprintf(msg, sizeof msg, "FAIL %s:%u: %s\n", file->path, file->runs.v[r].line, br.error);
        rec_case(fc->s, FT_FAIL, file->runs.v[r].line, label, name, msg);
        if (r == br.next)
            rec_text(fc->s, 'L', msg);
        free(name);
        failed++;
    }
    verbose_line(fc->s, file->path, label, file->runs.n - failed, failed, 0, NULL);
    ft_module_free(&m);
}

/* The file's run lines through the interpreter, once, whatever its target
 * lines say: a case per run line under the label "interpret".  A function
 * the interpreter cannot run is reported once; its run lines fail. */
static void run_interp(const file_ctx *fc)
{
    static const char label[] = "interpret";
    const ir_file *file = fc->file;
    interp_ctx *ic = interp_new(file);
    uint8_t *checked = calloc(file->funcs.n + 1, 1);   /* 1 supported, 2 not */
    if (!ic || !checked) {
        all_lines(fc, FT_FAIL, label, "FAIL: out of memory\n");
        interp_free(ic);
        free(checked);
        return;
    }
    interp_opts io = {.timeout = fc->o->timeout};
    unsigned passed = 0, failed = 0;
    for (uint32_t r = 0; r < file->runs.n; r++) {
        const ir_run_cmd *rc = &file->runs.v[r];
        if (!checked[rc->func]) {
            ir_diag d;
            checked[rc->func] = interp_supported(ic, rc->func, &d) ? 1 : 2;
            if (checked[rc->func] == 2) {
                char *msg = diag_text(&d);
                rec_text(fc->s, 'L', msg);
                free(msg);
            }
        }
        FILE *f = report_begin();
        if (!f)
            break;
        bool print = rc->kind == IR_RUN_PRINT;
        bool ok = ft_interp_run_cmd(ic, file, fc->lines, fc->nlines, rc, &io, f,
                                    RUN_FMT_LANES | (print ? 0 : RUN_REPORT_FAILURES), NULL);
        const char *buf = ok && !print ? "" : report_text();
        int status = ok ? FT_PASS : checked[rc->func] == 2 ? FT_CASE_ERROR : FT_FAIL;
        char *name = wants_name(fc->s, status) ? case_name(fc, rc) : NULL;
        rec_case(fc->s, status, rc->line, label, name, ok ? NULL : buf);
        if (!ok && checked[rc->func] == 1)
            rec_text(fc->s, 'L', buf);
        else if (ok && print)
            print_record(fc, rc, label, buf);
        free(name);
        ok ? passed++ : failed++;
    }
    free(checked);
    interp_free(ic);
    verbose_line(fc->s, file->path, label, passed, failed, 0, NULL);
}

/* ---- test verifier, cat, print-cfg and the kinds clifrun skips ------------------------ */

static void kind_case(void *arg, int status, uint32_t line, const char *name, const char *msg)
{
    rec_case(arg, status, line, "", name, msg);
}

static void kind_log(void *arg, const char *text)
{
    rec_text(arg, 'L', text);
}

/* The `test` lines of a file's text, before its first function. */
static uint32_t test_kinds(const char *src, size_t len, char kinds[][32], uint32_t max, uint32_t *lines)
{
    uint32_t n = 0, ln = 1;
    for (const char *p = src, *end = src + len; p < end && n < max; ln++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if (e - p >= 8 && !strncmp(p, "function", 8))
            break;
        if (e - p > 5 && !strncmp(p, "test", 4) && (p[4] == ' ' || p[4] == '\t')) {
            const char *w = p + 5;
            while (w < e && (*w == ' ' || *w == '\t'))
                w++;
            size_t k = 0;
            while (w + k < e && w[k] != ' ' && w[k] != '\t' && w[k] != ';' && w[k] != '\r' && k < 31)
                k++;
            memcpy(kinds[n], w, k);
            kinds[n][k] = 0;
            lines[n++] = ln;
        }
        p = nl ? nl + 1 : end;
    }
    return n;
}

/* A file none of whose `test` lines is run or interpret: its verifier,
 * cat and print-cfg cases, and a skipped case, with the reason, for each
 * kind clifrun does not run.  False if the file has run or interpret. */
static bool run_other_kinds(sink *s, const char *path, const char *src, size_t len)
{
    char kinds[16][32];
    uint32_t lines[16], n = src ? test_kinds(src, len, kinds, 16, lines) : 0;
    bool other = n > 0;
    for (uint32_t k = 0; k < n; k++)
        other &= strcmp(kinds[k], "run") && strcmp(kinds[k], "interpret");
    if (!other)
        return false;
    unsigned long total = 0, nf = ft_count_functions(src, len);
    for (uint32_t k = 0; k < n; k++)
        total += ft_kind_skip_reason(kinds[k]) ? 1 : nf;
    char num[24];
    snprintf(num, sizeof num, "%lu", total);
    rec_text(s, 'N', num);
    ft_kind_out o = {kind_case, kind_log, s};
    for (uint32_t k = 0; k < n; k++) {
        const char *why = ft_kind_skip_reason(kinds[k]);
        unsigned p = 0, f = 0;
        char label[48];
        snprintf(label, sizeof label, "test %.30s", kinds[k]);
        if (why) {
            rec_case(s, FT_SKIPPED, lines[k], "", label, why);
            verbose_line(s, path, label, 0, 0, 1, why);
            continue;
        }
        ft_run_kind(kinds[k], path, src, len, &o, &p, &f);
        verbose_line(s, path, label, p, f, 0, NULL);
    }
    return true;
}

/* The file by Cranelift's rules: once per target line of the host's
 * architecture whose flags the host has; skipped as a whole if none is.
 * `test interpret` runs it through the interpreter too, once (--interpret:
 * only there). */
/* alias: the JIT context, when run_file makes it, writes code through a
 * second view (jit_config.alias), for a worker that cannot fork. */
static void run_file(sink *s, const char *path, const ft_opts *o, jit_ctx **ctx, bool careful, bool alias)
{
    ir_file file;
    char *src = NULL;
    size_t len = 0;
    ir_diag d;
    /* read once for both; standard input, or a file that cannot be read,
     * is ft_load's to read (and say why it cannot) */
    if (strcmp(path, "-"))
        src = ft_read_file(path, &len);
    if (src && run_other_kinds(s, path, src, len)) {
        free(src);
        return;
    }
    if (!(src ? ft_load_text(&file, path, src, len, true, &d) : ft_load(&file, path, &src, true, &d))) {
        char *msg = diag_text(&d);
        rec_text(s, 'L', msg);
        rec_case(s, FT_CASE_ERROR, 0, "", "(file)", msg);
        verbose_line(s, path, NULL, 0, 1, 0, NULL);
        free(msg);
        ir_file_free(&file);
        free(src);
        return;
    }
    file_ctx fc = {.s = s, .o = o, .careful = careful, .file = &file};
    fc.lines = ft_line_index(&file, &fc.nlines);
    char num[16];
    jit_arch arch = o->arch ? o->arch : jit_host_arch();
    uint32_t nt = file.targets.n ? file.targets.n : 1;
    int *verdict = ir_xcalloc(nt, sizeof *verdict);
    cg_target *tg = ir_xcalloc(nt, sizeof *tg);
    char (*why)[160] = ir_xcalloc(nt, sizeof *why);
    char **errs = ir_xcalloc(nt, sizeof *errs);
    bool run = ft_is_run_test(&file), interp = ft_is_interpret_test(&file);
    if (!run && !interp) {
        const char *w = file.tests.n ? "no `test run` or `test interpret` line"
                                     : "no test line (run it with `clifrun FILE`)";
        snprintf(num, sizeof num, "%u", file.runs.n);
        rec_text(s, 'N', num);
        all_lines(&fc, FT_SKIPPED, "", w);
        verbose_line(s, path, NULL, 0, 0, file.runs.n, w);
        goto out;
    }
    interp |= o->interp;
    run &= !o->interp;
    bool any = false, first_same = false;
    int first_skip = -1;
    unsigned long lines = 0;    /* the cases this file will have: 'N' */
    for (uint32_t i = 0; i < nt && run; i++) {
        uint32_t ti = file.targets.n ? i : IR_NONE;
        verdict[i] = ft_target(&file, ti, arch, &tg[i], why[i], sizeof why[i], &d);
        if (verdict[i] == FT_ERROR)
            errs[i] = diag_text(&d);
        /* a skip for this architecture (host lacks a flag) beats one for another */
        bool same_arch = ti == IR_NONE || !strcmp(file.targets.v[ti].arch, jit_arch_name(arch));
        if (verdict[i] == FT_SKIP && (first_skip < 0 || (same_arch && !first_same)))
            first_skip = (int)i, first_same = same_arch;
        any |= verdict[i] != FT_SKIP;
        lines += verdict[i] != FT_SKIP || same_arch ? file.runs.n : 0;
    }
    /* sent before any case, so that the parent knows how many lines a
     * worker that dies in this file leaves unreported */
    lines = (run ? (any ? lines : file.runs.n) : 0) + (interp ? file.runs.n : 0);
    snprintf(num, sizeof num, "%lu", lines);
    rec_text(s, 'N', num);
    if (interp)
        run_interp(&fc);
    if (!run)
        goto out;
    for (uint32_t i = 0; i < nt; i++)
        if (errs[i]) {
            char *lab = target_label(&file, file.targets.n ? i : IR_NONE);
            rec_text(s, 'L', errs[i]);
            all_lines(&fc, FT_CASE_ERROR, lab, errs[i]);
            verbose_line(s, path, lab, 0, file.runs.n ? file.runs.n : 1, 0, NULL);
            free(lab);
        }
    if (!any) {
        all_lines(&fc, FT_SKIPPED, "", why[first_skip]);
        verbose_line(s, path, NULL, 0, 0, file.runs.n, why[first_skip]);
        goto out;
    }
    jit_error err = {.msg = ""};
    if (!*ctx && (*ctx = ft_ctx_new(o->spread, &err))) {
        if (alias)
            jit_ctx_set_alias(*ctx, true);
        ft_tramp_cache_begin(*ctx);     /* for the worker's files to come */
    }
    for (uint32_t i = 0; i < nt; i++) {
        uint32_t ti = file.targets.n ? i : IR_NONE;
        char *lab = target_label(&file, ti);
        bool same_arch = ti == IR_NONE || !strcmp(file.targets.v[ti].arch, jit_arch_name(arch));
        if (verdict[i] == FT_SKIP && same_arch) {
            all_lines(&fc, FT_SKIPPED, lab, why[i]);
            verbose_line(s, path, lab, 0, 0, file.runs.n, why[i]);
        } else if (verdict[i] == FT_RUN && !*ctx) {
            char msg[600];
            snprintf(msg, sizeof msg, "FAIL %s: cannot create the JIT: %s\n", path, err.msg);
            rec_text(s, 'L', msg);
            all_lines(&fc, FT_FAIL, lab, msg);
        } else if (verdict[i] == FT_RUN) {
            run_target(&fc, *ctx, &tg[i], lab);
        }
        free(lab);
    }
out:
    for (uint32_t i = 0; i < nt; i++)
        free(errs[i]);
    free(errs);
    free(verdict);
    free(tg);
    free(why);
    free(fc.lines);
    ir_file_free(&file);
    free(src);
}

/* ---- the parent: workers, results in order ---------------------------------------------- */

typedef struct worker {
    pid_t pid;              /* 0: no process */
    bool careful;           /* runs one file, its calls in child processes */
    int cmd, res;           /* pipe ends: its one file's number to a careful worker
                             * (-1: none, it takes files itself), records from it */
    sink *s;                /* the slot's sink: what it had not sent when it died */
    bool busy;              /* between a file's 'F' and its 'D' */
    size_t file;            /* the file it is on */
    char *buf;              /* records not taken yet: the file's so far and after */
    size_t len, cap, parsed, fstart;
    uint64_t got;           /* bytes it sent, all told */
    double start;           /* when its file began (its 'F') */
    double last;            /* when it last sent */
} worker;

/* The parent's state, shared by the functions that start and end workers. */
typedef struct pool {
    worker *ws;
    unsigned nw;
    char *const *files;
    size_t nfiles;
    const ft_opts *o;
    _Atomic uint32_t *next; /* the next file to take, in memory shared with the workers */
    ft_file_result *res;
    bool *complete;
} pool;

/* A worker's heap serves file after file: it is never given back (no
 * trim), big blocks come from it too (a mapping of their own would fault
 * its pages in afresh each time), and it grows 256 KiB ahead of need.
 * After each file the pages it grew by are mapped in one call: a fault per
 * page costs 5-12 us on a virtual machine, mapping them ~1 us each. */
#define HEAP_AHEAD ((size_t)256 << 10)
static uintptr_t heap_mapped;       /* the heap is mapped up to here */

static void heap_map_grown(void)
{
    uintptr_t top = (uintptr_t)sbrk(0) & ~(uintptr_t)4095;
    if (heap_mapped && top > heap_mapped &&
        madvise((void *)heap_mapped, top - heap_mapped, MADV_POPULATE_WRITE) == 0)
        heap_mapped = top;
}

static void heap_for_worker(void)
{
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    mallopt(M_TOP_PAD, (int)HEAP_AHEAD);
    void *sp = sbrk(0);
    if (sp != (void *)-1)
        heap_mapped = ((uintptr_t)sp + 4095) & ~(uintptr_t)4095;    /* the parent's pages are below */
    free(malloc(64));
    heap_map_grown();
}

/* A worker: takes the next file (or reads its one file's number from cmd)
 * and runs it, until none is left. */
static _Noreturn void worker_main(const pool *pl, int cmd, int res, sink *s, bool careful)
{
    const ft_opts *o = pl->o;
    /* stdout belongs to the report (it may be XML): what compiled code
     * prints goes to stderr */
    dup2(2, 1);
    s->fd = res;
    s->eager = cmd >= 0;
    s->last = now();
    s->full = o->junit != NULL;
    s->verbose = o->verbose;
    heap_for_worker();
    /* A worker runs the calls of file after file itself: no process per
     * file (a fork costs milliseconds on some machines, the suite's files
     * a few each).  So it is sandboxed before any file is read, and
     * expendable: a call that ends it is the parent's to find again (it
     * runs the file once more in a careful worker).  If the sandbox
     * cannot be installed, calls go to (sandboxed) child processes. */
    bool sandboxed = false;
    if (!careful)
        run_set_expendable();
    if (!careful && o->sandbox) {
        char why[200];
        jit_host_libm();    /* files are linked after; the sandbox blocks openat */
        sandboxed = run_sandbox_install(why, sizeof why);
        careful = !sandboxed;
    }
    /* sandboxed, the worker cannot fork: code goes in through a second view
     * of its memory, no mprotect pair per module (a forked child would share
     * the view).  x86-64 only: qemu-user, where AArch64 is tested, takes
     * seconds a module over shared views */
    bool alias = sandboxed && jit_host_arch() == JIT_ARCH_X86_64;
    jit_ctx *ctx = NULL;
    for (;;) {
        uint32_t i;
        if (cmd >= 0) {
            ssize_t n = read(cmd, &i, sizeof i);
            if (n < 0 && errno == EINTR)
                continue;
            if (n != sizeof i || i >= pl->nfiles)
                break;
        } else if ((i = atomic_fetch_add(pl->next, 1)) >= pl->nfiles) {
            break;
        }
        SINK_ORDER();
        s->claim = i;       /* a death before its 'F' is still this file's */
        double t0 = s->case_t0 = now();
        const char *f[2] = {(const char *)&i, (const char *)&t0};
        static const uint32_t fl[2] = {4, 8}, dl[1] = {8};
        record(s, 'F', 2, f, fl);
        run_file(s, pl->files[i], o, &ctx, careful, alias);
        double secs = now() - t0;
        const char *d[1] = {(const char *)&secs};
        record(s, 'D', 1, d, dl);
        heap_map_grown();
    }
    flush_sink(s);
    if (sandboxed) {    /* exit handlers (LeakSanitizer's) need what the sandbox blocks: */
        fflush(NULL);   /* none checks what is left, and the kernel frees it all at once */
        _exit(0);
    }
    ft_tramp_cache_end();
    if (ctx)
        jit_ctx_free(ctx);
    close(res);
    if (cmd >= 0)
        close(cmd);
    exit(0);
}

/* Start a worker in slot k: a careful one runs the one file it is sent,
 * the others take files from pl->next. */
static bool spawn(pool *pl, unsigned k, bool careful)
{
    worker *ws = pl->ws;
    int c[2] = {-1, -1}, r[2];
    if (!ws[k].s && !(ws[k].s = sink_new()))
        return false;
    if (careful && pipe(c) != 0)
        return false;
    if (pipe(r) != 0) {
        if (careful)
            close(c[0]), close(c[1]);
        return false;
    }
    sink *s = ws[k].s;      /* empty: the last worker of the slot is gone */
    s->len = 0, s->base = 0, s->count_at = 0;
    s->claim = IR_NONE;
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = run_fork();   /* glibc's fork hangs under qemu-user (run.h) */
    if (pid < 0) {
        if (careful)
            close(c[0]), close(c[1]);
        close(r[0]), close(r[1]);
        return false;
    }
    if (pid == 0) {
        /* a worker and the processes it starts die with the parent, and
         * form a group of their own: a Ctrl-C reaches only the parent,
         * which stops them, and kill(-pid) stops all of them at once */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGHUP, &dfl, NULL);
        /* the siblings' pipes are theirs: holding their ends would hide
         * their deaths from the parent and keep them waiting for work */
        for (unsigned i = 0; i < pl->nw; i++)
            if (i != k && ws[i].pid) {
                if (ws[i].cmd >= 0)
                    close(ws[i].cmd);
                close(ws[i].res);
            }
        if (careful)
            close(c[1]);
        close(r[0]);
        worker_main(pl, c[0], r[1], s, careful);
    }
    setpgid(pid, pid);
    if (careful)
        close(c[0]);
    close(r[1]);
    ws[k] = (worker){.pid = pid, .careful = careful, .cmd = c[1], .res = r[0], .s = s, .last = now()};
    return true;
}

/* A field of a complete record: its bytes (not NUL-terminated) and length. */
static const char *field(const char **p, uint32_t *len)
{
    memcpy(len, *p, 4);
    const char *f = *p + 4;
    *p += 4 + *len;
    return f;
}

/* Length of the complete record at p, 0 if it is not all there yet. */
static size_t record_len(const char *p, const char *end)
{
    if (end - p < 2)
        return 0;
    const char *q = p + 2;
    for (int k = 0; k < (unsigned char)p[1]; k++) {
        uint32_t l;
        if (end - q < 4)
            return 0;
        memcpy(&l, q, 4);
        if ((size_t)(end - q - 4) < l)
            return 0;
        q += 4 + l;
    }
    return (size_t)(q - p);
}

static void append_n(char **dst, const char *text, size_t b)
{
    size_t a = *dst ? strlen(*dst) : 0;
    char *n = ir_xrealloc(*dst, a + b + 2);
    if (!n)
        return;
    memcpy(n + a, text, b);
    n[a + b] = 0;
    if (b && text[b - 1] != '\n')
        n[a + b] = '\n', n[a + b + 1] = 0;
    *dst = n;
}

static void append(char **dst, const char *text)
{
    append_n(dst, text, strlen(text));
}

/* The records of one file into r.  why: NULL when the worker finished the
 * file, else what went wrong: the lines it had not reported fail. */
static void finish(const char *buf, size_t len, ft_file_result *r, const char *why)
{
    const char *p = buf, *end = buf + len;
    long total = -1;
    unsigned long lines_seen = 0;
    for (size_t rl; (rl = record_len(p, end)); p += rl) {
        char type = p[0];
        int nf = (unsigned char)p[1];
        const char *q = p + 2, *f[8] = {0};
        uint32_t l[8] = {0};
        for (int k = 0; k < nf && k < 8; k++)
            f[k] = field(&q, &l[k]);
        if (type == 'N' && nf == 1) {
            char num[24];
            snprintf(num, sizeof num, "%.*s", (int)l[0], f[0]);
            total = atol(num);
        } else if (type == 'L' && nf == 1) {
            append_n(&r->log, f[0], l[0]);
        } else if (type == 'V' && nf == 1) {
            append_n(&r->vlog, f[0], l[0]);
        } else if ((type == 'P' || type == 'S') && nf == 3 && l[0] == 4 && l[1] == 4) {
            uint32_t n, nl;
            memcpy(&n, f[0], 4);
            memcpy(&nl, f[1], 4);
            lines_seen += nl;
            if (type == 'P') {
                r->passed += n;
                continue;
            }
            r->skipped += n;
            ft_skip *k = r->skips.n ? &r->skips.v[r->skips.n - 1] : NULL;
            if (k && strlen(k->why) == l[2] && !memcmp(k->why, f[2], l[2]))
                k->cases += n, k->lines += nl;
            else
                ir_vec_push(&r->skips, ((ft_skip){ir_xstrndup(f[2], l[2]), n, nl}));
        } else if (type == 'C' && nf == 6 && l[0] == 1 && l[1] == 4 && l[5] == 8) {
            ft_case c = {.status = (uint8_t)f[0][0]};
            memcpy(&c.line, f[1], 4);
            /* as the JUnit report counts them: every case once */
            if (c.status == FT_PASS)
                r->passed++;
            else if (c.status == FT_FAIL || c.status == FT_CASE_ERROR)
                r->failed++;
            else
                r->skipped++;
            lines_seen += c.line != 0;
            c.target = ir_xstrndup(f[2], l[2]);
            c.name = ir_xstrndup(f[3], l[3]);
            c.msg = ir_xstrndup(f[4], l[4]);
            memcpy(&c.secs, f[5], 8);
            ir_vec_push(&r->cases, c);
        }
    }
    if (!why)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "FAIL %s: %s\n", r->path, why);
    append(&r->log, msg);
    /* every run line it did not report fails, so that the totals are
     * always the files' run lines; a file whose worker died before it
     * said how many counts one, as a file that does not load does */
    unsigned long lost = total > (long)lines_seen ? (unsigned long)total - lines_seen : 0;
    r->failed += total < 0 ? 1 : lost;
    r->broken = true;
    ft_case c = {.status = FT_FAIL, .target = ir_xstrdup(""), .name = ir_xstrdup("(worker)"), .msg = ir_xstrdup(msg)};
    ir_vec_push(&r->cases, c);
}

/* The worker's complete records: a file's, from its 'F' to its 'D', into
 * its result; what is not taken yet stays in the worker's buffer. */
static void take(pool *pl, worker *w)
{
    for (size_t rl; (rl = record_len(w->buf + w->parsed, w->buf + w->len)); w->parsed += rl) {
        const char *p = w->buf + w->parsed;
        if (p[0] == 'F' && rl == 2 + 4 + 4 + 4 + 8) {
            uint32_t i;
            memcpy(&i, p + 6, 4);
            if (i >= pl->nfiles)
                continue;
            w->busy = true, w->file = i, w->fstart = w->parsed + rl;
            memcpy(&w->start, p + 14, 8);
        } else if (p[0] == 'D' && w->busy) {
            ft_file_result *r = &pl->res[w->file];
            finish(w->buf + w->fstart, w->parsed - w->fstart, r, NULL);
            if (rl == 2 + 4 + 8)
                memcpy(&r->secs, p + 6, 8);
            pl->complete[w->file] = true;
            w->busy = false;
        }
    }
    size_t keep = w->busy ? w->fstart : w->parsed;
    if (keep) {
        memmove(w->buf, w->buf + keep, w->len - keep);
        w->len -= keep, w->parsed -= keep, w->fstart -= w->busy ? keep : 0;
    }
}

/* Read what the worker's pipe holds; 0 at its end, -1 on an error. */
static ssize_t receive(worker *w)
{
    if (w->cap - w->len < 65536) {
        size_t ncap = w->cap ? w->cap * 2 : 131072;
        char *nb = ir_xrealloc(w->buf, ncap);
        if (nb)
            w->buf = nb, w->cap = ncap;
    }
    ssize_t n = read(w->res, w->buf + w->len, w->cap - w->len);
    if (n > 0)
        w->len += (size_t)n, w->got += (uint64_t)n, w->last = now();
    return n;
}

/* End a worker: waited for, and what it sent and what it had not taken.
 * One whose pipe ended (eof) after its last file is ending by itself;
 * else it and what it started are killed (they may be dead already).
 * Returns its wait status. */
static int reap(pool *pl, worker *w, bool killed, bool eof)
{
    int status = 0;
    uint32_t last = w->s->claim;
    if (!eof || killed || w->busy || (last < pl->nfiles && !pl->complete[last])) {
        /* the worker's group: the worker if it hangs, what it started if it died */
        kill(-w->pid, SIGKILL);
        if (killed)
            kill(w->pid, SIGKILL);
    }
    if (w->cmd >= 0)
        close(w->cmd);
    w->cmd = -1;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    fcntl(w->res, F_SETFL, O_NONBLOCK);
    for (ssize_t n; (n = receive(w)) > 0 || (n < 0 && errno == EINTR);)
        ;
    close(w->res);
    size_t n;
    const char *u = sink_unsent(w->s, w->got, &n);
    if (n && w->cap - w->len < n) {
        char *nb = ir_xrealloc(w->buf, w->len + n);
        if (nb)
            w->buf = nb, w->cap = w->len + n;
    }
    if (n && w->cap - w->len >= n) {
        memcpy(w->buf + w->len, u, n);
        w->len += n;
    }
    take(pl, w);
    /* it died after taking a file and before saying so */
    uint32_t claim = w->s->claim;
    if (!w->busy && claim < pl->nfiles && !pl->complete[claim]) {
        w->busy = true, w->file = claim, w->fstart = w->len, w->start = now();
        w->parsed = w->len;
    }
    return status;
}

/* Start a careful worker in slot k for file i, whose first run ended a
 * worker (whose records of it are dropped). */
static bool rerun_file(pool *pl, unsigned k, size_t i)
{
    ft_file_result *r = &pl->res[i];
    worker old = pl->ws[k];
    r->rerun = true;
    if (!spawn(pl, k, true)) {
        pl->ws[k] = old;
        return false;
    }
    free(old.buf);
    uint32_t fi = (uint32_t)i;
    worker *w = &pl->ws[k];
    if (write(w->cmd, &fi, sizeof fi) != sizeof fi) {
        reap(pl, w, true, false);
        free(w->buf);
        *w = old;
        w->buf = NULL;
        return false;
    }
    close(w->cmd);          /* one file, then it ends */
    w->cmd = -1;
    w->busy = true, w->file = i, w->len = w->parsed = w->fstart = 0;
    w->start = now();
    return true;
}

/* A worker whose pipe ended, or that hung (killed): ended, its slot empty.
 * One that died or hung in a file fails the file; a file whose calls
 * ended a worker (exit, abort, the sandbox, a call stuck in host code) is
 * not failed but run again by a careful worker, which finds and reports
 * the line. */
static void bury(pool *pl, unsigned k, bool killed, bool eof, double stall)
{
    worker *w = &pl->ws[k];
    int status = reap(pl, w, killed, eof);
    bool busy = w->busy;
    size_t fi = w->file;
    ft_file_result *r = &pl->res[fi];
    if (busy) {
        char why[160];
        if (killed)
            snprintf(why, sizeof why, "no progress for %.0f s: the worker was killed (a hang in clifrun)", stall);
        else if (WIFSIGNALED(status))
            snprintf(why, sizeof why, "the worker died of SIG%s (a bug in clifrun)",
                     sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
        else
            snprintf(why, sizeof why, "the worker exited with status %d before finishing",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        bool rerun = !killed && !w->careful && !r->rerun;
        if (!rerun || !rerun_file(pl, k, fi)) {
            if (rerun)
                finish("", 0, r, "cannot start a worker to run it again");
            else
                finish(w->buf + w->fstart, w->len - w->fstart, r, why);
            r->secs = now() - w->start;
            pl->complete[fi] = true;
        } else {
            return;     /* the slot is the careful worker's */
        }
    }
    free(w->buf);
    pl->ws[k] = (worker){.s = w->s};
}

void ft_file_result_free(ft_file_result *r)
{
    for (uint32_t i = 0; i < r->cases.n; i++) {
        free(r->cases.v[i].target);
        free(r->cases.v[i].name);
        free(r->cases.v[i].msg);
    }
    ir_vec_free(&r->cases);
    for (uint32_t i = 0; i < r->skips.n; i++)
        free(r->skips.v[i].why);
    ir_vec_free(&r->skips);
    free(r->log);
    free(r->vlog);
}

/* Why run lines were skipped, once per reason: "skip 38 files (1023 run
 * lines): host can't run aarch64 programs" (-v says it per file). */
static void skip_summary(FILE *out, const ft_file_result *res, size_t nfiles)
{
    typedef struct { const char *why; unsigned files; unsigned long lines; } reason;
    IR_VEC(reason) rs = {0};
    for (size_t i = 0; i < nfiles; i++) {
        const char *last = NULL;    /* count a file once per reason */
        uint32_t nc = res[i].cases.n;
        for (uint32_t k = 0; k < nc + res[i].skips.n; k++) {
            /* one by one with a JUnit report, else by reason (ft_skip) */
            const ft_case *c = k < nc ? &res[i].cases.v[k] : NULL;
            const ft_skip *sk = k < nc ? NULL : &res[i].skips.v[k - nc];
            const char *why = c ? c->msg : sk->why;
            if ((c && c->status != FT_SKIPPED) || !why)
                continue;
            uint32_t j = 0;
            while (j < rs.n && strcmp(rs.v[j].why, why))
                j++;
            if (j == rs.n)
                ir_vec_push(&rs, ((reason){why, 0, 0}));
            rs.v[j].lines += c ? c->line != 0 : sk->lines;
            if (!last || strcmp(last, why))
                rs.v[j].files++;
            last = why;
        }
    }
    for (uint32_t j = 0; j < rs.n; j++)
        fprintf(out, "skip %u file%s (%lu run line%s): %s\n", rs.v[j].files, rs.v[j].files == 1 ? "" : "s",
                rs.v[j].lines, rs.v[j].lines == 1 ? "" : "s", rs.v[j].why);
    ir_vec_free(&rs);
}

static volatile sig_atomic_t stop_signal;

static void stop_handler(int sig)
{
    stop_signal = sig;
}

static void report_file(const ft_file_result *r, const ft_opts *o, ft_counts *c)
{
    if (r->log)
        fputs(r->log, o->out);
    if (o->verbose && r->vlog)
        fputs(r->vlog, o->out);
    fflush(o->out);
    c->passed += r->passed, c->failed += r->failed, c->skipped += r->skipped;
    c->files++;
    if (r->failed || r->broken)
        c->files_failed++;
    else if (r->passed)
        c->files_passed++;
    else
        c->files_skipped++;
}

/* The parent's tables, reachable from here in the workers too: they end
 * with exit(), and LeakSanitizer must not count what they inherited. */
static struct {
    ft_file_result *res;
    bool *complete;
    worker *ws;
    struct pollfd *pfd;
    unsigned *slot;
} parent;

int ft_test(char *const *files, size_t nfiles, const ft_opts *o, ft_counts *c)
{
    memset(c, 0, sizeof *c);
    unsigned nw = o->jobs;
    if (!nw) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nw = n > 0 ? (unsigned)n : 1;
    }
    if (nw > nfiles)
        nw = nfiles ? (unsigned)nfiles : 1;
    ft_file_result *res = ir_xcalloc(nfiles + 1, sizeof *res);
    bool *complete = ir_xcalloc(nfiles + 1, sizeof *complete);
    worker *ws = ir_xcalloc(nw, sizeof *ws);
    struct pollfd *pfd = ir_xcalloc(nw, sizeof *pfd);
    unsigned *slot = ir_xcalloc(nw, sizeof *slot);     /* of each pollfd */
    _Atomic uint32_t *next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (next == MAP_FAILED)
        next = NULL;
    else
        atomic_init(next, 0);
    parent.res = res, parent.complete = complete, parent.ws = ws, parent.pfd = pfd, parent.slot = slot;
    pool pl = {ws, nw, files, nfiles, o, next, res, complete};
    /* a dead worker's pipe must not kill the parent; SIGINT, SIGTERM and
     * SIGHUP stop the workers and end with what ran */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_stop[3];
    sigaction(SIGPIPE, &ign, &old_pipe);
    static const int stop_sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction on_stop = {.sa_handler = stop_handler};
    sigemptyset(&on_stop.sa_mask);
    stop_signal = 0;
    for (int k = 0; k < 3; k++)
        sigaction(stop_sigs[k], &on_stop, &old_stop[k]);
    double t0 = now(), stall = o->timeout > 0 ? o->timeout + 60 : 0;
    size_t printed = 0;
    for (size_t i = 0; i < nfiles; i++)
        res[i].path = files[i];
    while (printed < nfiles && !stop_signal) {
        /* a worker in each empty slot while files are left to take; a
         * file that finds none fails */
        for (unsigned k = 0; k < nw && next && atomic_load(next) < nfiles; k++) {
            if (ws[k].pid || spawn(&pl, k, false))
                continue;
            uint32_t i = atomic_fetch_add(next, 1);
            if (i >= nfiles)
                break;
            char msg[256];
            snprintf(msg, sizeof msg, "FAIL %s: cannot start a worker: %s\n", files[i], strerror(errno));
            append(&res[i].log, msg);
            res[i].failed = 1;
            complete[i] = true;
        }
        unsigned np = 0;
        for (unsigned k = 0; k < nw; k++)
            if (ws[k].pid)
                slot[np] = k, pfd[np++] = (struct pollfd){.fd = ws[k].res, .events = POLLIN};
        if (!np) {  /* none left: a file not done was taken by a worker that said nothing */
            size_t taken = next ? atomic_load(next) : nfiles;
            for (size_t i = printed; i < nfiles && i < taken; i++)
                if (!complete[i]) {
                    finish("", 0, &res[i], next ? "its worker ended before running it" : "cannot share memory with a worker");
                    complete[i] = true;
                }
        } else if (poll(pfd, np, 1000) < 0 && errno != EINTR) {
            break;
        }
        if (stop_signal)
            break;
        double t = now();
        for (unsigned p = 0; p < np; p++) {
            unsigned k = slot[p];
            worker *w = &ws[k];
            if (pfd[p].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = receive(w);
                if (n > 0)
                    take(&pl, w);
                else if (n == 0 || errno != EINTR)
                    bury(&pl, k, false, n == 0, stall);     /* its end: done, or dead */
            } else if (stall && t - w->last > stall) {
                bury(&pl, k, true, false, stall);
            }
        }
        /* the report, in file order */
        for (; printed < nfiles && complete[printed]; printed++)
            report_file(&res[printed], o, c);
    }
    unsigned cut = 0, not_run = 0;
    for (unsigned k = 0; k < nw; k++) {
        worker *w = &ws[k];
        if (w->pid && stop_signal) {
            /* what each had reported counts */
            reap(&pl, w, true, false);
            if (w->busy) {
                finish(w->buf + w->fstart, w->len - w->fstart, &res[w->file], NULL);
                complete[w->file] = true;
                cut++;
            }
        } else if (w->pid) {    /* every file is done: it is ending */
            if (w->cmd >= 0)
                close(w->cmd);
            close(w->res);
            while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        free(w->buf);
        if (w->s)
            munmap(w->s, sizeof *w->s + SINK_CAP);
    }
    if (stop_signal) {          /* the files that ran, in order; then why it stopped */
        for (size_t i = printed; i < nfiles; i++)
            if (complete[i])
                report_file(&res[i], o, c);
            else
                not_run++;
        fprintf(o->out, "clifrun test: stopped by SIG%s: %u file%s cut short, %u not run (of %zu)\n",
                sigabbrev_np(stop_signal), cut, cut == 1 ? "" : "s", not_run, nfiles);
    }
    sigaction(SIGPIPE, &old_pipe, NULL);
    for (int k = 0; k < 3; k++)
        sigaction(stop_sigs[k], &old_stop[k], NULL);
    /* -v: two summaries, each saying what it counts */
    if (o->verbose)
        fprintf(o->out, "files: %u passed, %u failed, %u skipped (of %u)\n", c->files_passed,
                c->files_failed, c->files_skipped, c->files);
    else
        skip_summary(o->out, res, nfiles);
    fprintf(o->out, "%s%lu passed, %lu failed, %lu skipped\n", o->verbose ? "cases: " : "", c->passed,
            c->failed, c->skipped);
    fflush(o->out);
    if (o->junit)
        ft_junit_write(o->junit, res, nfiles, now() - t0);
    for (size_t i = 0; i < nfiles; i++)
        ft_file_result_free(&res[i]);
    free(res);
    free(complete);
    free(ws);
    free(pfd);
    free(slot);
    if (next)
        munmap(next, sizeof *next);
    memset(&parent, 0, sizeof parent);
    if (stop_signal)
        return 128 + stop_signal;
    return c->failed || c->files_failed ? 1 : 0;
}
