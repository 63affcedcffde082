/* cmd/clifrun/cli.c: target names, colour, warnings, the sandbox and --lib, for main.c and the REPL (disasm.c: listings). */
#include "cli.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/run.h"

bool cli_use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(2) && !(nc && *nc);
}

void cli_warnings(FILE *out, const ir_file *file)
{
    for (uint32_t i = 0; i < file->warnings.n; i++)
        ir_warn_print(out, file->path, file->src, file->len, file->warnings.v[i].line, file->warnings.v[i].col,
                      file->warnings.v[i].msg, cli_use_color());
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0");
}

bool cli_sandbox(bool no_sandbox, bool *sandbox)
{
    *sandbox = !no_sandbox && !env_set(RUN_NO_SANDBOX_ENV);
    char why[200];
    if (!*sandbox || run_sandbox_supported(why, sizeof why))
        return true;
    fprintf(stderr, "clifrun: error: cannot run calls in the sandbox: this system cannot install "
            "seccomp filters (%s; qemu-user, for one, does not emulate them)\n"
            "clifrun: --no-sandbox or %s=1 runs the calls without it\n", why, RUN_NO_SANDBOX_ENV);
    return false;
}

bool cli_load_libs(const char *const *libs, int n)
{
    const char *env = getenv(CLI_LIB_ENV);
    for (int i = 0; i < n; i++)
        if (!dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL)) {
            fprintf(stderr, "clifrun: error: --lib %s: %s\n", libs[i], dlerror());
            return false;
        }
    if (!env || !*env)
        return true;
    char *copy = ir_xstrdup(env);
    bool ok = true;
    for (char *save = NULL, *p = strtok_r(copy, ":", &save); ok && p; p = strtok_r(NULL, ":", &save))
        if (!dlopen(p, RTLD_NOW | RTLD_GLOBAL)) {
            fprintf(stderr, "clifrun: error: %s: %s\n", CLI_LIB_ENV, dlerror());
            ok = false;
        }
    free(copy);
    return ok;
}
