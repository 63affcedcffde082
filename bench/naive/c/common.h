/* common.h - what the C twins of bench/naive share: arguments and output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t arg_u64(int argc, char **argv, int i, uint64_t dflt)
{
    return argc > i ? strtoull(argv[i], NULL, 0) : dflt;
}
