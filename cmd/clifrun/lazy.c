/* cmd/clifrun/lazy.c: capstone and readline, loaded when a command first
 * needs them.  Linked in, they cost every run of clifrun the dynamic
 * loader's work on them (capstone alone has some 77,000 relocations: most
 * of a one-function file's start-up time and 2 MiB of its memory), though
 * only -D, :disasm and the REPL on a terminal use them.
 *
 * Capstone's functions are defined here with its own prototypes and
 * forward to the library, so callers use the API as documented; readline's
 * functions and variables go through cli_rl (rl.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>

#include <capstone/capstone.h>

#define CLI_RL_NO_MACROS
#include "rl.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* dlopen the first of names that loads; on failure say once what is missing. */
static void *open_lib(const char *const *names, const char *what, const char *pkg, bool *told)
{
    for (const char *const *n = names; *n; n++) {
        void *h = dlopen(*n, RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
    }
    if (!*told)
        fprintf(stderr, "clifrun: %s needs %s, which cannot be loaded (%s); install %s (make deps)\n",
                what, names[0], dlerror(), pkg);
    *told = true;
    return NULL;
}

/* ---- capstone ------------------------------------------------------------------- */

#define CS_FUNCS(X)                                                                    \
    X(cs_open) X(cs_close) X(cs_option) X(cs_errno) X(cs_strerror) X(cs_disasm)        \
    X(cs_free) X(cs_malloc) X(cs_disasm_iter) X(cs_reg_name) X(cs_insn_name)           \
    X(cs_group_name) X(cs_insn_group)

static struct {
#define F(n) __typeof__(&n) n;
    CS_FUNCS(F)
#undef F
} cs;

static bool cs_load(void)
{
    static int state;   /* 0 not tried, 1 loaded, -1 failed */
    static bool told;
    if (state)
        return state > 0;
    static const char *const names[] = {"libcapstone.so." STR(CS_API_MAJOR), "libcapstone.so", NULL};
    void *h = open_lib(names, "disassembly", "libcapstone" STR(CS_API_MAJOR), &told);
    state = -1;
    if (!h)
        return false;
#define F(n) if (!(*(void **)&cs.n = dlsym(h, #n))) { fprintf(stderr, "clifrun: %s has no %s\n", names[0], #n); return false; }
    CS_FUNCS(F)
#undef F
    state = 1;
    return true;
}

cs_err CAPSTONE_API cs_open(cs_arch arch, cs_mode mode, csh *handle)
{
    return cs_load() ? cs.cs_open(arch, mode, handle) : CS_ERR_MEM;
}

cs_err CAPSTONE_API cs_close(csh *handle)
{
    return cs_load() ? cs.cs_close(handle) : CS_ERR_HANDLE;
}

cs_err CAPSTONE_API cs_option(csh handle, cs_opt_type type, size_t value)
{
    return cs_load() ? cs.cs_option(handle, type, value) : CS_ERR_HANDLE;
}

cs_err CAPSTONE_API cs_errno(csh handle)
{
    return cs_load() ? cs.cs_errno(handle) : CS_ERR_HANDLE;
}

const char *CAPSTONE_API cs_strerror(cs_err code)
{
    return cs_load() ? cs.cs_strerror(code) : "capstone is not available";
}

size_t CAPSTONE_API cs_disasm(csh handle, const uint8_t *code, size_t code_size, uint64_t address,
                              size_t count, cs_insn **insn)
{
    return cs_load() ? cs.cs_disasm(handle, code, code_size, address, count, insn) : 0;
}

void CAPSTONE_API cs_free(cs_insn *insn, size_t count)
{
    if (cs_load())
        cs.cs_free(insn, count);
}

cs_insn *CAPSTONE_API cs_malloc(csh handle)
{
    return cs_load() ? cs.cs_malloc(handle) : NULL;
}

bool CAPSTONE_API cs_disasm_iter(csh handle, const uint8_t **code, size_t *size, uint64_t *address,
                                 cs_insn *insn)
{
    return cs_load() && cs.cs_disasm_iter(handle, code, size, address, insn);
}

const char *CAPSTONE_API cs_reg_name(csh handle, unsigned int reg_id)
{
    return cs_load() ? cs.cs_reg_name(handle, reg_id) : NULL;
}

const char *CAPSTONE_API cs_insn_name(csh handle, unsigned int insn_id)
{
    return cs_load() ? cs.cs_insn_name(handle, insn_id) : NULL;
}

const char *CAPSTONE_API cs_group_name(csh handle, unsigned int group_id)
{
    return cs_load() ? cs.cs_group_name(handle, group_id) : NULL;
}

bool CAPSTONE_API cs_insn_group(csh handle, const cs_insn *insn, unsigned int group_id)
{
    return cs_load() && cs.cs_insn_group(handle, insn, group_id);
}

/* ---- readline -------------------------------------------------------------------- */

struct cli_rl cli_rl;

bool cli_rl_load(void)
{
    static int state;
    static bool told;
    if (state)
        return state > 0;
    static const char *const names[] = {"libreadline.so." STR(RL_VERSION_MAJOR), "libreadline.so", NULL};
    void *h = open_lib(names, "the REPL's line editing", "libreadline" STR(RL_VERSION_MAJOR), &told);
    state = -1;
    if (!h)
        return false;
#define F(n) if (!(*(void **)&cli_rl.p_##n = dlsym(h, #n))) { fprintf(stderr, "clifrun: %s has no %s\n", names[0], #n); return false; }
    CLI_RL_NAMES(F)
#undef F
    state = 1;
    return true;
}
