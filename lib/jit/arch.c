/* The architecture table (arch.def) as data, and the one parser of
 * architecture names. */
#include "jit.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

static const jit_arch_info arches[JIT_ARCH_COUNT] = {
#define ARCH(id, name, alias, em, abs64, pad, stub, near, got, csa, csm, isa) \
    [JIT_ARCH_##id] = {name, alias, em, abs64, pad, stub, near, got},
#include "arch.def"
#undef ARCH
};

jit_arch jit_host_arch(void)
{
#if defined(__aarch64__)
    return JIT_ARCH_AARCH64;
#else
    return JIT_ARCH_X86_64;
#endif
}

const jit_arch_info *jit_arch_get(jit_arch a)
{
    if (a == JIT_ARCH_HOST)
        a = jit_host_arch();
    return (unsigned)a < JIT_ARCH_COUNT ? &arches[a] : NULL;
}

const char *jit_arch_name(jit_arch a)
{
    const jit_arch_info *i = jit_arch_get(a);
    return i ? i->name : "?";
}

jit_arch jit_arch_parse(const char *s, size_t n)
{
    const char *dash = memchr(s, '-', n);
    size_t k = dash ? (size_t)(dash - s) : n;
    for (unsigned a = 1; a < JIT_ARCH_COUNT; a++) {
        const char *alias = arches[a].alias;
        if ((strlen(arches[a].name) == k && !strncmp(s, arches[a].name, k)) ||
            (alias && strlen(alias) == k && !strncmp(s, alias, k)))
            return (jit_arch)a;
    }
    return JIT_ARCH_HOST;
}

const char *jit_arch_list(char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    for (unsigned a = 1; a < JIT_ARCH_COUNT && n < size; a++) {
        const char *sep = a == 1 ? "" : a + 1 == JIT_ARCH_COUNT ? " or " : ", ";
        n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, arches[a].name);
    }
    return buf;
}
