/* clifrun: the command line.  The pipeline, top to bottom:
 * read (lib/reader) → verify (lib/verify) → print or, later, compile and run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ir.h"
#include "reader.h"
#include "verify.h"

#define CLIFRUN_VERSION "0.1.0"

static bool use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(2) && !(nc && *nc);
}

static const char usage[] =
    "usage: clifrun COMMAND [OPTIONS] FILE...\n"
    "\n"
    "Commands:\n"
    "  print FILE        parse, verify and print FILE as canonical CLIF\n"
    "  check FILE...     parse and verify each FILE; print nothing on success\n"
    "  bench FILE...     time parsing and verifying each FILE (MB/s, functions/s)\n"
    "\n"
    "Options:\n"
    "  --no-verify       (print) skip the verifier\n"
    "  -h, --help        show this help\n"
    "  --version         show the version\n"
    "\n"
    "Exit status: 0 success, 1 test failures, 2 bad input or usage.\n";

/* Read a whole file; NULL with errno on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(buf, cap *= 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        errno = err ? EIO : ENOMEM;
        return NULL;
    }
    *len = n;
    return buf;
}

/* Parse and verify a file.  On failure prints the diagnostic. */
static bool load(const char *path, ir_file *file, char **src, bool verify)
{
    size_t len;
    *src = read_file(path, &len);
    if (!*src) {
        fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(errno));
        memset(file, 0, sizeof *file);
        return false;
    }
    ir_diag d;
    if (!reader_parse_file(file, path, *src, len, &d)) {
        ir_diag_print(stderr, &d, use_color());
        return false;
    }
    for (uint32_t i = 0; i < file->funcs.n; i++) {
        ir_function *fn = file->funcs.v[i];
        if (!ir_legacy_rewrite(fn, &d) || (verify && !verify_function(fn, &d))) {
            d.file = path;
            d.src = *src;
            d.len = len;
            ir_diag_print(stderr, &d, use_color());
            return false;
        }
    }
    return true;
}

static int cmd_print(int argc, char **argv)
{
    bool verify = true;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--no-verify"))
            verify = false;
        else if (!path)
            path = argv[i];
        else {
            fputs("clifrun print: one file at a time\n", stderr);
            return 2;
        }
    }
    if (!path) {
        fputs(usage, stderr);
        return 2;
    }
    ir_file file;
    char *src;
    int rc = 0;
    if (load(path, &file, &src, verify))
        ir_print_file(stdout, &file);
    else
        rc = 2;
    ir_file_free(&file);
    free(src);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    if (argc == 0) {
        fputs(usage, stderr);
        return 2;
    }
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        ir_file file;
        char *src;
        if (!load(argv[i], &file, &src, true))
            rc = 2;
        ir_file_free(&file);
        free(src);
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
    if (argc == 0) {
        fputs(usage, stderr);
        return 2;
    }
    for (int a = 0; a < argc; a++) {
        size_t len;
        char *src = read_file(argv[a], &len);
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
                ir_diag_print(stderr, &d, use_color());
                ir_file_free(&file);
                free(src);
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
        free(src);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("clifrun %s\n", CLIFRUN_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "print"))
        return cmd_print(argc - 2, argv + 2);
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 2, argv + 2);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 2, argv + 2);
    fprintf(stderr, "clifrun: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
