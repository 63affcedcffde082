/* nsieve.c - C twin of clif/nsieve.clif: a byte sieve in a wasm-like linear
 * memory (64 KiB) with a bounds check at every access.  nsieve(k, n) counts
 * the primes below m = min(n, 65536) k times and returns the sum.
 * Usage: nsieve [k] [n] */
#include "common.h"

#define HEAP 65536

struct vmctx { uint8_t *base; uint64_t bound; };

static void oob(void) { abort(); }

static uint32_t kernel(const struct vmctx *vm, uint32_t m)
{
    uint32_t count = 0, i = 0;
    while (i < m) {
        if ((uint64_t)i >= vm->bound) oob();
        vm->base[i] = 1;
        i = i + 1;
    }
    i = 2;
    while (i < m) {
        if ((uint64_t)i >= vm->bound) oob();
        if (vm->base[i] != 0) {
            count = count + 1;
            uint32_t j = i * i;
            while (j < m) {
                if ((uint64_t)j >= vm->bound) oob();
                vm->base[j] = 0;
                j = j + i;
            }
        }
        i = i + 1;
    }
    return count;
}

uint64_t nsieve(uint64_t k, uint64_t n)
{
    static uint8_t heap[HEAP];
    struct vmctx vm = {heap, HEAP};
    uint32_t m = n > HEAP ? HEAP : (uint32_t)n;
    uint64_t total = 0;
    for (uint64_t r = 0; r < k; r++)
        total = total + kernel(&vm, m);
    return total;
}

int main(int argc, char **argv)
{
    printf("%llu\n", (unsigned long long)nsieve(arg_u64(argc, argv, 1, 3000), arg_u64(argc, argv, 2, 65536)));
    return 0;
}
