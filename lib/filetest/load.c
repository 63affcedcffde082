/* lib/filetest/load.c: reading a file, and which of its target lines run
 * here with which flags (test_run.rs: is_isa_compatible, build_host_isa). */
#include "filetest.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader/reader.h"
#include "verify/verify.h"

/* A file by its descriptor: one read for a regular file (sized by fstat;
 * a short read is its end, as for fread), reads until the end otherwise. */
static char *read_fd(int fd, size_t *len)
{
    struct stat st;
    bool regular = false;
    size_t cap = 1 << 16, n = 0;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return NULL;
        }
        regular = S_ISREG(st.st_mode);
        if (regular && st.st_size >= 0 && (uint64_t)st.st_size < SIZE_MAX / 2)
            cap = (size_t)st.st_size + 1;
    }
    char *buf = ir_xmalloc(cap + 1);
    while (buf) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            errno = EIO;
            return NULL;
        }
        n += (size_t)r;
        /* a regular file's whole size is in: no read to find its end (a
         * short read alone is not the end: Linux reads under 2 GiB a call) */
        if (r == 0 || (regular && n + 1 == cap))
            break;
        if (n < cap)
            continue;
        char *nb = ir_xrealloc(buf, (cap *= 2) + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Standard input through stdio, which may hold some of it already. */
static char *read_stdin(size_t *len)
{
    struct stat st;
    if (fstat(0, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = ir_xmalloc(cap + 1);
    for (;;) {
        if (!buf)
            break;
        n += fread(buf + n, 1, cap - n, stdin);
        if (n < cap)
            break;
        char *nb = ir_xrealloc(buf, (cap *= 2) + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    if (!buf || ferror(stdin)) {
        int e = buf ? EIO : ENOMEM;
        free(buf);
        errno = e;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- large files mapped, not copied ---------------------------------------------------
 * A read() copies the page cache into fresh heap pages, each faulted in
 * (6.7 MB: ~1,600 faults, ~20 ms here); a private read-only mapping shares
 * the cache's pages, populated in one call.  Only for a file whose last page
 * has room for the NUL the text ends with (the kernel zeroes the tail), and
 * only when the command asked (ft_map_files): a file truncated while mapped
 * faults (SIGBUS), so a long-lived holder (the REPL) or a harness reading
 * many small files reads instead.  The mappings are few: a short table. */
#define MAP_MIN ((size_t)1 << 20)
static bool map_on;
static struct mapped { char *p; size_t size; } maps[8];
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

void ft_map_files(bool on) { map_on = on; }

static char *map_fd(int fd, size_t *len)
{
    struct stat st;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (!map_on || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)MAP_MIN ||
        (uint64_t)st.st_size >= SIZE_MAX / 2 || (size_t)st.st_size % page == 0)
        return NULL;
    size_t size = (size_t)st.st_size;
    pthread_mutex_lock(&maps_lock);
    struct mapped *slot = NULL;
    for (unsigned i = 0; i < sizeof maps / sizeof *maps && !slot; i++)
        if (!maps[i].p)
            slot = &maps[i];
    char *p = slot ? mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : MAP_FAILED;
    if (p != MAP_FAILED)
        *slot = (struct mapped){p, size};
    pthread_mutex_unlock(&maps_lock);
    if (p == MAP_FAILED)
        return NULL;
    *len = size;
    return p;
}

void ft_free_file(char *src)
{
    if (!src)
        return;
    pthread_mutex_lock(&maps_lock);
    for (unsigned i = 0; i < sizeof maps / sizeof *maps; i++)
        if (maps[i].p == src) {
            munmap(src, maps[i].size);
            maps[i].p = NULL;
            pthread_mutex_unlock(&maps_lock);
            return;
        }
    pthread_mutex_unlock(&maps_lock);
    free(src);
}

char *ft_read_file(const char *path, size_t *len)
{
    if (!strcmp(path, "-"))     /* standard input, as clif-util reads it */
        return read_stdin(len);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *buf = map_fd(fd, len);
    if (!buf)
        buf = read_fd(fd, len);
    int e = errno;
    close(fd);
    errno = e;
    return buf;
}

/* ---- the command line's --set and --target, for every file loaded ------------------- */

static struct {
    const char *const *sets;
    unsigned nsets;
    const char *target;     /* a target line's words, or NULL */
} overrides;

void ft_set_overrides(const char *const *sets, unsigned nsets, const char *target)
{
    overrides.sets = sets, overrides.nsets = nsets, overrides.target = target;
}

/* Words of s (blank-separated), each at most once through next(). */
static const char *word(const char **s, size_t *n)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
    const char *w = *s;
    while (**s && **s != ' ' && **s != '\t')
        (*s)++;
    *n = (size_t)(*s - w);
    return *n ? w : NULL;
}

static ir_setting arena_setting(ir_file *f, const char *w, size_t n)
{
    const char *eq = memchr(w, '=', n);
    ir_setting st = {.name = ir_arena_strndup(&f->arena, w, eq ? (size_t)(eq - w) : n)};
    if (eq)
        st.value = ir_arena_strndup(&f->arena, eq + 1, n - (size_t)(eq - w) - 1);
    return st;
}

/* --set lines after the file's own; --target's line instead of the file's. */
static void apply_overrides(ir_file *f)
{
    for (unsigned i = 0; i < overrides.nsets; i++) {
        ir_vec_push(&f->settings, arena_setting(f, overrides.sets[i], strlen(overrides.sets[i])));
        f->ncli_settings++;
    }
    const char *s = overrides.target;
    size_t n;
    const char *w = s ? word(&s, &n) : NULL;
    if (!w)
        return;
    ir_target t = {.arch = reader_target_arch(f, w, n), .flags = f->target_flags.n,
                   .settings = f->settings.n - f->ncli_settings};
    while ((w = word(&s, &n))) {
        ir_vec_push(&f->target_flags, arena_setting(f, w, n));
        t.nflags++;
    }
    f->targets.n = 0;
    ir_vec_push(&f->targets, t);
}

/* Every `set` line names a setting of Cranelift's with a value it takes. */
static bool check_settings(const ir_file *f, ir_diag *d)
{
    char msg[300];
    uint32_t cli = f->settings.n - f->ncli_settings;
    for (uint32_t i = 0; i < f->settings.n; i++) {
        const ir_setting *s = &f->settings.v[i];
        if (cg_check_setting(s->name, s->value, false, msg, sizeof msg) >= 0)
            continue;
        if (i >= cli)
            ir_diag_set(d, 0, 0, "--set %s%s%s: %s", s->name, s->value ? "=" : "", s->value ? s->value : "", msg);
        else
            ir_diag_set(d, s->line, 1, "%s", msg);
        return false;
    }
    return true;
}

/* The file's text into *src (its name in d; "-" is standard input). */
static bool read_source(ir_file *file, const char **path, char **src, size_t *len, ir_diag *d)
{
    memset(file, 0, sizeof *file);
    memset(d, 0, sizeof *d);
    *src = ft_read_file(*path, len);
    if (!strcmp(*path, "-"))
        *path = "<stdin>";
    d->file = *path;
    if (!*src) {
        if (errno == EISDIR)
            ir_diag_set(d, 0, 0, "cannot read: a directory (`clifrun test DIR` runs the files in it)");
        else
            ir_diag_set(d, 0, 0, "cannot read: %s", strerror(errno));
        return false;
    }
    return true;
}

bool ft_load(ir_file *file, const char *path, char **src, bool verify, ir_diag *d)
{
    size_t len = 0;
    if (!read_source(file, &path, src, &len, d))
        return false;
    return ft_load_text(file, path, *src, len, verify, d);
}

bool ft_load_text(ir_file *file, const char *path, const char *src, size_t len, bool verify, ir_diag *d)
{
    memset(file, 0, sizeof *file);
    memset(d, 0, sizeof *d);
    d->file = path;
    if (!reader_parse_file(file, path, src, len, d))
        return false;
    apply_overrides(file);
    bool ok = check_settings(file, d);
    for (uint32_t i = 0; ok && i < file->funcs.n; i++)
        ok = ir_legacy_rewrite(file->funcs.v[i], d);
    if (ok && verify)
        ok = verify_file(file, d) && verify_file_decls(file, d);
    if (!ok)
        d->file = path, d->src = src, d->len = len;
    return ok;
}

/* ---- checking a file as it is read (clifrun check) ------------------------------------ */

/* Each function is rewritten and verified once read, then only what the
 * declarations across the file need is kept: memory in proportion to the
 * largest function, not the file.  The errors are those ft_load_text
 * gives, in its order: the reader's, the settings', the first legacy
 * rewrite's (then nothing is verified), the verifier's, the declarations'. */
typedef struct check_ctx {
    bool started, legacy_bad, verify_bad;
    verify_file_isas isas;
    ir_diag *legacy, *verify;   /* the first legacy error; every verifier error */
    ft_each_fn *each;
    void *each_ctx;
} check_ctx;

static void check_one(void *ctx, ir_file *file, uint32_t i)
{
    check_ctx *c = ctx;
    ir_function *f = file->funcs.v[i];
    if (!c->started) {   /* the header is read: the targets and settings are known */
        c->started = true;
        apply_overrides(file);
        verify_file_isas_of(file, &c->isas);
    }
    if (!c->legacy_bad) {
        if (!ir_legacy_rewrite(f, c->legacy))
            c->legacy_bad = true;
        else if (!verify_file_function(&c->isas, f, c->verify))
            c->verify_bad = true;
        else if (c->each && !c->verify_bad)
            c->each(c->each_ctx, file, i);
    }
    ir_file_drop_body(file, i);
}

bool ft_check(ir_file *file, const char *path, char **src, ir_diag *d)
{
    return ft_check_each(file, path, src, d, NULL, NULL);
}

bool ft_check_each(ir_file *file, const char *path, char **src, ir_diag *d, ft_each_fn *each, void *ctx)
{
    size_t len = 0;
    if (!read_source(file, &path, src, &len, d))
        return false;
    ir_diag *more = ir_xcalloc(2, sizeof *more);
    check_ctx c = {.legacy = &more[0], .verify = &more[1], .each = each, .each_ctx = ctx};
    ir_diag_set(c.legacy, 0, 0, "%s", "");
    ir_diag_set(c.verify, 0, 0, "%s", "");
    bool ok = reader_parse_file_each(file, path, *src, len, d, check_one, &c);
    if (ok) {
        if (!c.started)
            apply_overrides(file);
        ok = check_settings(file, d);
        if (ok && (c.legacy_bad || c.verify_bad)) {
            *d = *(c.legacy_bad ? c.legacy : c.verify);
            ok = false;
        }
        ok = ok && verify_file_decls(file, d);
    }
    free(more);
    if (!ok)
        d->file = path, d->src = *src, d->len = len;
    return ok;
}

uint32_t *ft_line_index(const ir_file *file, uint32_t *nlines)
{
    IR_VEC(uint32_t) v = {0};
    const char *p = file->src, *end = file->src ? file->src + file->len : NULL;
    /* lines of tests average 30-35 bytes: grown rarely, not from 4 */
    ir_vec_reserve_exact(&v, file->len / 32 + 2);
    ir_vec_push(&v, 0);
    while (p && p < end && (p = memchr(p, '\n', (size_t)(end - p))))
        ir_vec_push(&v, (uint32_t)(++p - file->src));
    ir_vec_push(&v, (uint32_t)file->len + 1);
    *nlines = v.n - 1;
    return v.v;
}

const char *ft_line_text(const ir_file *file, const uint32_t *index, uint32_t nlines, uint32_t line,
                         size_t *len)
{
    if (!index || line < 1 || line > nlines || index[line - 1] > file->len)
        return NULL;
    const char *s = file->src + index[line - 1];
    size_t n = index[line] - index[line - 1] - 1;
    if (index[line - 1] + n > file->len)
        n = file->len - index[line - 1];
    while (n && s[n - 1] == '\r')
        n--;
    *len = n;
    return s;
}

static bool has_test(const ir_file *file, const char *name)
{
    for (uint32_t i = 0; i < file->tests.n; i++)
        if (!strcmp(file->tests.v[i], name))
            return true;
    return false;
}

bool ft_is_run_test(const ir_file *file)
{
    return has_test(file, "run");
}

bool ft_is_interpret_test(const ir_file *file)
{
    return has_test(file, "interpret");
}

/* ---- target lines -------------------------------------------------------------- */

static const char *const isa_flag_names[CG_ISA_COUNT] = {
#define CG_F(name) #name,
    CG_ISA_FLAGS(CG_F)
#undef CG_F
};

/* cg_host_isa asks once per process */
static uint64_t host_isa(jit_arch a) { return cg_host_isa(a); }

ft_verdict ft_target(const ir_file *file, uint32_t ti, jit_arch arch, cg_target *t,
                     char *why, size_t n, ir_diag *d)
{
    jit_arch host = jit_host_arch();
    if (arch == JIT_ARCH_HOST)
        arch = host;
    d->file = file->path;
    d->src = file->src;
    d->len = file->len;
    memset(t, 0, sizeof *t);
    if (ti == IR_NONE) {
        /* no target line: the host, as cranelift_native sees it */
        if (arch != host) {
            snprintf(why, n, "host can't run %s programs", jit_arch_name(arch));
            return FT_SKIP;
        }
        if (!cg_apply_settings(t, file, file->settings.n, d))
            return FT_ERROR;
        t->arch = host;
        t->isa = host_isa(host);
        return FT_RUN;
    }
    const ir_target *tg = &file->targets.v[ti];
    if (strcmp(tg->arch, jit_arch_name(host)) != 0) {
        snprintf(why, n, "host can't run %s programs", tg->arch);
        return FT_SKIP;
    }
    if (arch != host) {
        snprintf(why, n, "host can't run %s programs", jit_arch_name(arch));
        return FT_SKIP;
    }
    if (!cg_target_from_file(t, file, ti, d))
        return FT_ERROR;
    uint64_t missing = t->isa & ~host_isa(host);
    for (unsigned k = 0; k < CG_ISA_COUNT; k++)
        if (missing >> k & 1) {
            snprintf(why, n, "host does not support ISA flag has_%s", isa_flag_names[k]);
            return FT_SKIP;
        }
    return FT_RUN;
}
