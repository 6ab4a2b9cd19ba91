/*
 * Baseline for BENCHMARKS.md: Maglev ring build written the way Katran's C++ does it (per
 * FACTS.md): a 32-bit int ring pre-filled with -1, and every probe computes
 * (offset + next * skip) % ring_size in uint32 arithmetic (one division per probe).
 * Our own code, not Katran's. Build and run:
 *   gcc -O2 -o /tmp/maglev_baseline raft-state/src/test/c/maglev_baseline.c && /tmp/maglev_baseline
 * Prints per (variant, N) the CPU time per build, and an FNV-1a-64 checksum of the ring (slots as
 * little-endian u16) that BaselineChecksumTest reproduces in Java. scripts/bench-state.sh --vs-c
 * runs it right after the Java twin, io.ringfleet.state.maglev.bench.BuildCpuTime.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t fmix(uint64_t k) {
  k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ULL; k ^= k >> 33;
  return k;
}

static uint64_t murmur(uint64_t a, uint64_t b, uint32_t seed) {
  const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = seed, h2 = seed;
  uint64_t k1 = a * c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1;
  h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
  uint64_t k2 = b * c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2;
  h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  h1 ^= 16; h2 ^= 16; h1 += h2; h2 += h1; h1 = fmix(h1); h2 = fmix(h2); h1 += h2;
  return h1;
}

static uint64_t mix(uint64_t upper, uint64_t lower) {
  const uint64_t k = 0x9ddfea08eb382d69ULL;
  uint64_t a = (lower ^ upper) * k; a ^= a >> 47;
  uint64_t b = (upper ^ a) * k; b ^= b >> 47; b *= k;
  return b;
}

static uint64_t ipv4_hash(uint32_t addr) {
  uint32_t h = 2166136261u;
  for (int i = 3; i >= 0; i--) { h *= 16777619u; h ^= (uint32_t)(int32_t)(int8_t)(addr >> (8 * i)); }
  return mix(2, h);
}

typedef struct { uint32_t num; uint32_t weight; uint64_t hash; } endpoint;

static int by_hash(const void *x, const void *y) {
  uint64_t a = ((const endpoint *)x)->hash, b = ((const endpoint *)y)->hash;
  return a < b ? -1 : a > b;
}

/* Returns the ring (caller frees). variant 1 or 2. */
static int *build(const endpoint *in, size_t n, uint32_t m, int variant) {
  endpoint *e = malloc(n * sizeof *e);
  memcpy(e, in, n * sizeof *e);
  qsort(e, n, sizeof *e, by_hash);
  int *ring = malloc(m * sizeof *ring);
  for (uint32_t i = 0; i < m; i++) ring[i] = -1;
  uint32_t *perm = malloc(2 * n * sizeof *perm), *next = calloc(n, sizeof *next), *cum = calloc(n, sizeof *cum);
  uint32_t maxw = 0;
  for (size_t i = 0; i < n; i++) {
    perm[2 * i] = murmur(e[i].hash, 42, 0) % m;
    perm[2 * i + 1] = murmur(e[i].hash, 2718281828ULL, 2307) % (m - 1) + 1;
    if (e[i].weight > maxw) maxw = e[i].weight;
  }
  uint32_t runs = 0;
  for (;;) {
    for (size_t i = 0; i < n; i++) {
      uint32_t claims;
      if (variant == 1) { claims = e[i].weight; e[i].weight = 1; }
      else { cum[i] += e[i].weight; claims = 0; if (cum[i] >= maxw) { cum[i] -= maxw; claims = 1; } }
      for (uint32_t j = 0; j < claims; j++) {
        uint32_t off = perm[2 * i], skip = perm[2 * i + 1];
        uint32_t cur = (off + next[i] * skip) % m;
        while (ring[cur] >= 0) { next[i]++; cur = (off + next[i] * skip) % m; }
        ring[cur] = (int)e[i].num;
        next[i]++;
        if (++runs == m) goto done;
      }
    }
  }
done:
  free(e); free(perm); free(next); free(cum);
  return ring;
}

static double cpu_us(void) {
  struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(void) {
  const uint32_t m = 65537;
  const size_t ns[] = {10, 100, 1000};
  for (int variant = 1; variant <= 2; variant++) {
    for (int k = 0; k < 3; k++) {
      size_t n = ns[k];
      endpoint *e = malloc(n * sizeof *e);
      for (size_t i = 0; i < n; i++) { e[i].num = i + 1; e[i].weight = 1; e[i].hash = ipv4_hash(0x0a010000u | (uint32_t)(i + 1)); }
      int *ring = build(e, n, m, variant);
      uint64_t fnv = 0xcbf29ce484222325ULL;
      for (uint32_t i = 0; i < m; i++) {
        fnv = (fnv ^ (uint8_t)ring[i]) * 0x100000001b3ULL;
        fnv = (fnv ^ (uint8_t)(ring[i] >> 8)) * 0x100000001b3ULL;
      }
      free(ring);
      /* Same method as BuildCpuTime.java: 12 windows of 100 ms thread CPU time, the first 3 are
       * warm-up; report the best window's mean CPU time per build (robust to time-slicing on a
       * shared machine) and the median window's. */
      double windows[12];
      for (int w = 0; w < 12; w++) {
        double c0 = cpu_us();
        long builds = 0;
        while (cpu_us() - c0 < 100e3) { free(build(e, n, m, variant)); builds++; }
        windows[w] = (cpu_us() - c0) / builds;
      }
      double sorted[9];
      memcpy(sorted, windows + 3, sizeof sorted);
      for (int a = 0; a < 9; a++) for (int b = a + 1; b < 9; b++) if (sorted[b] < sorted[a]) { double t = sorted[a]; sorted[a] = sorted[b]; sorted[b] = t; }
      printf("c    V%d N=%-4zu cpu-us/build: best %7.0f  median %7.0f  (checksum %016llx)\n", variant, n,
             sorted[0], sorted[4], (unsigned long long)fnv);
      free(e);
    }
  }
  return 0;
}
