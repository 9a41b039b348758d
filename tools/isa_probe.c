/* isa_probe: do glibc's CPU-chosen maths variants change bits? Hashes scalar expf/logf/log1pf
 * over every 7th float and compares libmvec's 4-, 8- and 16-lane expf/logf on a sample. Run it
 * plain and under GLIBC_TUNABLES masks to see each variant (docs/ARCHITECTURE.md, Portable bits):
 *   gcc -O2 -mavx512f tools/isa_probe.c -o /tmp/isa_probe -lmvec -lm
 *   /tmp/isa_probe avx512; GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA /tmp/isa_probe
 *   GLIBC_TUNABLES=glibc.cpu.hwcaps=-SSE4_1 /tmp/isa_probe
 * Not part of the build: a measurement tool (an argument enables the AVX-512 variants). */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__m128 _ZGVbN4v_expf(__m128);
__m128 _ZGVbN4v_logf(__m128);
__m256 _ZGVdN8v_expf(__m256);
__m256 _ZGVdN8v_logf(__m256);
__m512 _ZGVeN16v_expf(__m512);
__m512 _ZGVeN16v_logf(__m512);

static uint64_t mix(uint64_t h, float y) {
  uint32_t u;
  memcpy(&u, &y, 4);
  return (h ^ u) * 1099511628211ULL;
}

int main(int argc, char** argv) {
  (void)argv;
  const uint64_t fnv = 1469598103934665603ULL;
  uint64_t he = fnv, hl = fnv, hp = fnv, h4e = fnv, h4l = fnv, h8e = fnv, h8l = fnv;
  long d48e = 0, d48l = 0, d816 = 0, n = 0;
  for (uint64_t b = 0; b < 0x100000000ULL; b += 7) {
    uint32_t u = (uint32_t)b;
    float x;
    memcpy(&x, &u, 4);
    if (x != x) continue;
    he = mix(he, expf(x));
    hl = mix(hl, logf(x));
    hp = mix(hp, log1pf(x));
  }
  for (uint64_t b = 0; b < 0x100000000ULL; b += 16 * 101) {
    float xs[16], e4[16], e8[16], e16[16], l4[16], l8[16], l16[16];
    for (int i = 0; i < 16; i++) {
      uint32_t u = (uint32_t)(b + i * 7);
      memcpy(&xs[i], &u, 4);
      if (xs[i] != xs[i]) xs[i] = 1.f;
    }
    for (int i = 0; i < 16; i += 4) {
      _mm_storeu_ps(e4 + i, _ZGVbN4v_expf(_mm_loadu_ps(xs + i)));
      _mm_storeu_ps(l4 + i, _ZGVbN4v_logf(_mm_loadu_ps(xs + i)));
    }
    for (int i = 0; i < 16; i += 8) {
      _mm256_storeu_ps(e8 + i, _ZGVdN8v_expf(_mm256_loadu_ps(xs + i)));
      _mm256_storeu_ps(l8 + i, _ZGVdN8v_logf(_mm256_loadu_ps(xs + i)));
    }
    if (argc > 1) {
      _mm512_storeu_ps(e16, _ZGVeN16v_expf(_mm512_loadu_ps(xs)));
      _mm512_storeu_ps(l16, _ZGVeN16v_logf(_mm512_loadu_ps(xs)));
    } else {
      memcpy(e16, e8, sizeof e8);
      memcpy(l16, l8, sizeof l8);
    }
    for (int i = 0; i < 16; i++) {
      h4e = mix(h4e, e4[i]);
      h4l = mix(h4l, l4[i]);
      h8e = mix(h8e, e8[i]);
      h8l = mix(h8l, l8[i]);
      d48e += memcmp(&e4[i], &e8[i], 4) != 0;
      d48l += memcmp(&l4[i], &l8[i], 4) != 0;
      d816 += memcmp(&e8[i], &e16[i], 4) != 0 || memcmp(&l8[i], &l16[i], 4) != 0;
      n++;
    }
  }
  printf("scalar expf %016lx logf %016lx log1pf %016lx\n", (unsigned long)he, (unsigned long)hl, (unsigned long)hp);
  printf("vec4 expf %016lx logf %016lx | vec8 expf %016lx logf %016lx\n", (unsigned long)h4e, (unsigned long)h4l,
         (unsigned long)h8e, (unsigned long)h8l);
  printf("of %ld sampled inputs: 4 vs 8 lanes differ in expf %ld, logf %ld; 8 vs 16 lanes differ in %ld\n", n, d48e,
         d48l, d816);
  return 0;
}
