/* nmatmul.c - C twin of clif/nmatmul.clif: 32x32 i32 matrix multiply in a
 * wasm-like linear memory (A at 0, B at 4096, C at 8192), a bounds check at
 * every access.  nmatmul(k) multiplies k times and returns the sum over the
 * repetitions of C[r % 32][(r * 7) % 32], C = A * B, with
 * A[i][j] = (i + 2j + r) & 15 and B[i][j] = (3i + j) & 7 (r the repetition).
 * Usage: nmatmul [k] */
#include "common.h"

#define N 32
#define HEAP 16384

struct vmctx { uint8_t *base; uint64_t bound; };

static void oob(void) { abort(); }

static uint32_t ld(const struct vmctx *vm, uint32_t a)
{
    if ((uint64_t)a + 4 > vm->bound) oob();
    uint32_t v;
    __builtin_memcpy(&v, vm->base + a, 4);
    return v;
}

static void st(const struct vmctx *vm, uint32_t a, uint32_t v)
{
    if ((uint64_t)a + 4 > vm->bound) oob();
    __builtin_memcpy(vm->base + a, &v, 4);
}

static uint32_t kernel(const struct vmctx *vm, uint32_t r)
{
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = 0; j < N; j++) {
            st(vm, (i * N + j) * 4, (i + 2 * j + r) & 15);
            st(vm, 4096 + (i * N + j) * 4, (3 * i + j) & 7);
        }
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = 0; j < N; j++) {
            uint32_t sum = 0;
            for (uint32_t k = 0; k < N; k++)
                sum = sum + ld(vm, (i * N + k) * 4) * ld(vm, 4096 + (k * N + j) * 4);
            st(vm, 8192 + (i * N + j) * 4, sum);
        }
    return ld(vm, 8192 + ((r % N) * N + (r * 7) % N) * 4);
}

uint64_t nmatmul(uint64_t k)
{
    static uint8_t heap[HEAP];
    struct vmctx vm = {heap, HEAP};
    uint64_t total = 0;
    for (uint64_t r = 0; r < k; r++)
        total = total + kernel(&vm, (uint32_t)r);
    return total;
}

int main(int argc, char **argv)
{
    printf("%llu\n", (unsigned long long)nmatmul(arg_u64(argc, argv, 1, 20000)));
    return 0;
}
