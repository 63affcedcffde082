/* nloop.c - C twin of clif/nloop.clif.  Usage: nloop [n] */
#include "common.h"

uint64_t nloop(uint64_t n)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = i * 3 + 7;
        sum = sum + (t ^ (t >> 3)) + (i & 15) * 4;
    }
    return sum;
}

int main(int argc, char **argv)
{
    printf("%llu\n", (unsigned long long)nloop(arg_u64(argc, argv, 1, 300000000)));
    return 0;
}
