/* A noisy neighbour for latency runs: streams memory forever by copying two 64 MB
 * buffers back and forth, far more traffic than the caches hold, so a latency example
 * pinned to the other core measures its tail under memory-bandwidth and last-level
 * cache pressure. Build and use (see rules/README.md, "Benchmarks"):
 *   gcc -O2 -o /tmp/memcpy-neighbour bench/memcpy-neighbour.c
 *   taskset -c 1 /tmp/memcpy-neighbour & pid=$!
 *   taskset -c 0 target/release/examples/latency_cjk 100000
 *   kill $pid
 */
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t n = (size_t)64 << 20;
    char *a = malloc(n), *b = malloc(n);
    if (a == NULL || b == NULL) {
        return 1;
    }
    memset(a, 1, n);
    memset(b, 2, n);
    for (;;) {
        memcpy(b, a, n);
        memcpy(a, b, n);
    }
}
