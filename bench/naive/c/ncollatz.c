/* ncollatz.c - C twin of clif/ncollatz.clif.  Usage: ncollatz [n] */
#include "common.h"

uint64_t ncollatz(uint64_t n)
{
    uint64_t total = 0;
    for (uint64_t s = 1; s <= n; s++) {
        uint64_t x = s;
        while (x != 1) {
            if (x % 2 == 0)
                x = x / 2;
            else
                x = 3 * x + 1;
            total = total + 1;
        }
    }
    return total;
}

int main(int argc, char **argv)
{
    printf("%llu\n", (unsigned long long)ncollatz(arg_u64(argc, argv, 1, 1000000)));
    return 0;
}
