/* tests/vcode_test.c: the machine-instruction tables (lib/isa/x64/
 * x64inst.def, lib/isa/aarch64/a64inst.def) against what lowering really
 * emits.  Every function of testdata/run is compiled for both targets
 * (no execution: any host) with its VCode listing (compile --vcode); each
 * instruction of it must have a name (not "opN"), registers with names
 * (not "?") and operands that follow its row's layout (the listing says
 * "operands differ from the layout" where they do not).  A function the
 * target does not support is skipped and counted.
 *
 *   vcode_test [DIR]     (default testdata/run)
 *
 * Prints the failures and "N passed, N failed"; exit 1 on any failure. */
#include "filetest/filetest.h"
#include "opt/opt.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed, unsupported;

/* Does line l (n bytes) hold s? */
static bool has(const char *l, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(l + i, s, k))
            return true;
    return false;
}

/* The first line of text that shows a table out of step, or NULL. */
static const char *bad_line(const char *text, size_t *len)
{
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        const char *w = l;
        while (w < l + n && *w == ' ')
            w++;
        bool unnamed = w + 2 < l + n && w > l && w[0] == 'o' && w[1] == 'p' && w[2] >= '0' && w[2] <= '9';
        bool bad = unnamed || has(l, n, "operands differ") || has(l, n, " ?");
        if (bad) {
            *len = n;
            return l;
        }
        l += n + (e != NULL);
    }
    return NULL;
}

static void check_file(const char *path)
{
    ir_file file;
    char *src = NULL;
    ir_diag d;
    if (!ft_load(&file, path, &src, true, &d)) {
        failed++;
        printf("FAIL %s: does not load: ", path);
        ir_diag_print(stdout, &d, false);
        ir_file_free(&file);
        free(src);
        return;
    }
    static const jit_arch archs[] = {JIT_ARCH_X86_64, JIT_ARCH_AARCH64};
    for (size_t a = 0; a < sizeof archs / sizeof *archs; a++) {
        /* the file's first target line of the architecture (its ISA flags), else the baseline */
        cg_target t = {.arch = archs[a]};
        uint32_t ti = 0;
        while (ti < file.targets.n && strcmp(file.targets.v[ti].arch, jit_arch_name(archs[a])))
            ti++;
        if (ti < file.targets.n ? !cg_target_from_file(&t, &file, ti, &d)
                                : !cg_apply_settings(&t, &file, file.settings.n, &d))
            continue;   /* a setting for the other target: nothing of this one to check */
        t.vcode = true;
        for (uint32_t i = 0; i < file.funcs.n; i++) {
            cg_output o;
            if (!opt_compile(&t, &file, i, &o, &d)) {
                unsupported++;
                continue;
            }
            size_t n;
            const char *l = o.vcode.v ? bad_line(o.vcode.v, &n) : "(no listing)";
            if (!o.vcode.v)
                n = strlen(l);
            char name[128];
            if (l) {
                failed++;
                printf("FAIL %s: %%%s for %s: %.*s\n", path, cg_symbol_name(file.funcs.v[i], name, sizeof name),
                       jit_arch_name(archs[a]), (int)n, l);
            } else {
                passed++;
            }
            cg_output_free(&o);
        }
    }
    ir_file_free(&file);
    free(src);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "testdata/run";
    DIR *dp = opendir(dir);
    if (!dp) {
        printf("FAIL %s: cannot open it\n0 passed, 1 failed\n", dir);
        return 1;
    }
    char **paths = NULL;
    size_t np = 0;
    for (struct dirent *de; (de = readdir(dp));) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".clif"))
            continue;
        paths = realloc(paths, (np + 1) * sizeof *paths);
        paths[np] = malloc(strlen(dir) + l + 2);
        sprintf(paths[np++], "%s/%s", dir, de->d_name);
    }
    closedir(dp);
    qsort(paths, np, sizeof *paths, by_name);
    for (size_t i = 0; i < np; i++) {
        check_file(paths[i]);
        free(paths[i]);
    }
    free(paths);
    printf("(%d functions unsupported on a target, not counted)\n", unsupported);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0 || !passed;
}
