/*
 * flowcheck's numeric kernels in C, compiled to WebAssembly with SIMD (see build.sh).
 *
 * Every kernel computes bit for bit what the JavaScript loops of model.ts / system.ts compute:
 * each sum is accumulated from +0 in the same order (SIMD lanes run over independent outputs,
 * never over the terms of one sum), products and sums are formed in the same order, and the
 * activation is selected, not blended (bitselect), so no rounding differs. WebAssembly has no
 * fused multiply-add in this instruction set, so nothing is contracted. kernels.test.ts checks
 * the equality against the JavaScript kernels on random inputs.
 *
 * Memory is owned by the caller (src/core/kernels/wasm.ts): pointers are byte offsets into the
 * module's imported memory, 8-byte aligned. Shapes: m neurons, n samples, d input dimension;
 * row-major [rows x cols].
 */
#include <wasm_simd128.h>

typedef double f64;

#define EXPORT(name) __attribute__((export_name(#name)))

static inline v128_t splat(f64 v) { return wasm_f64x2_splat(v); }

/*
 * One k-chunk [k0, k1) of mm_nt: acc = (first ? +0 : Z) + sum_{k0 <= k < k1} A[j*lda + k] BT[k*n + i],
 * k ascending, stored in Z. Chunks run in order, so each sum keeps its order across chunks.
 */
static void mm_nt_chunk(f64 *Z, const f64 *A, const f64 *BT, int m, int n, int lda, int k0, int k1, int first) {
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    int j = 0;
    for (; j + 4 <= m; j += 4) {
      const f64 *a0 = A + j * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      f64 *z = Z + j * n + i;
      v128_t c00 = splat(0), c01 = splat(0), c10 = splat(0), c11 = splat(0);
      v128_t c20 = splat(0), c21 = splat(0), c30 = splat(0), c31 = splat(0);
      if (!first) {
        c00 = wasm_v128_load(z); c01 = wasm_v128_load(z + 2);
        c10 = wasm_v128_load(z + n); c11 = wasm_v128_load(z + n + 2);
        c20 = wasm_v128_load(z + 2 * n); c21 = wasm_v128_load(z + 2 * n + 2);
        c30 = wasm_v128_load(z + 3 * n); c31 = wasm_v128_load(z + 3 * n + 2);
      }
      const f64 *b = BT + k0 * n + i;
      for (int k = k0; k < k1; k++, b += n) {
        v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
        v128_t x = wasm_v128_load64_splat(a0 + k);
        c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(x, b0));
        c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(x, b1));
        x = wasm_v128_load64_splat(a1 + k);
        c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(x, b0));
        c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(x, b1));
        x = wasm_v128_load64_splat(a2 + k);
        c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(x, b0));
        c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(x, b1));
        x = wasm_v128_load64_splat(a3 + k);
        c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(x, b0));
        c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(x, b1));
      }
      wasm_v128_store(z, c00);
      wasm_v128_store(z + 2, c01);
      wasm_v128_store(z + n, c10);
      wasm_v128_store(z + n + 2, c11);
      wasm_v128_store(z + 2 * n, c20);
      wasm_v128_store(z + 2 * n + 2, c21);
      wasm_v128_store(z + 3 * n, c30);
      wasm_v128_store(z + 3 * n + 2, c31);
    }
    for (; j < m; j++) {
      const f64 *a0 = A + j * lda;
      v128_t c0 = first ? splat(0) : wasm_v128_load(Z + j * n + i);
      v128_t c1 = first ? splat(0) : wasm_v128_load(Z + j * n + i + 2);
      const f64 *b = BT + k0 * n + i;
      for (int k = k0; k < k1; k++, b += n) {
        v128_t x = wasm_v128_load64_splat(a0 + k);
        c0 = wasm_f64x2_add(c0, wasm_f64x2_mul(x, wasm_v128_load(b)));
        c1 = wasm_f64x2_add(c1, wasm_f64x2_mul(x, wasm_v128_load(b + 2)));
      }
      wasm_v128_store(Z + j * n + i, c0);
      wasm_v128_store(Z + j * n + i + 2, c1);
    }
  }
  for (; i < n; i++) {
    for (int j = 0; j < m; j++) {
      const f64 *a0 = A + j * lda;
      f64 acc = first ? 0 : Z[j * n + i];
      for (int k = k0; k < k1; k++) acc += a0[k] * BT[k * n + i];
      Z[j * n + i] = acc;
    }
  }
}

/* Columns of A (and rows of BT) per chunk: a chunk of A and of BT stays in cache across the tiles. */
#define MM_K_CHUNK 256

/*
 * Z[j*n + i] = sum_k A[j*d + k] * BT[k*n + i], k ascending, from +0 (Z = A B with B given as
 * BT [d x n]; Z = W X^T when BT = X^T, Z = C K when BT = K symmetric).
 * Tiles of 4 rows x 4 columns (8 f64x2 accumulators); k runs in chunks of MM_K_CHUNK (the
 * partial sums are stored and reloaded, which keeps the order), so that the chunk of BT stays in
 * cache while the row tiles sweep A, and A's chunk while the column tiles sweep BT.
 */
EXPORT(mm_nt)
void mm_nt(f64 *Z, const f64 *A, const f64 *BT, int m, int n, int d) {
  if (d == 0) {
    for (int q = 0; q < m * n; q++) Z[q] = 0;
    return;
  }
  for (int k0 = 0; k0 < d; k0 += MM_K_CHUNK) {
    int k1 = k0 + MM_K_CHUNK < d ? k0 + MM_K_CHUNK : d;
    mm_nt_chunk(Z, A, BT, m, n, d, k0, k1, k0 == 0);
  }
}

/*
 * W[j*d + q] += G[j*n + i] * X[i*d + q] for i ascending, skipping G[j*n + i] == 0 (gW = G X when
 * W starts at 0; W = sw W0 + C X when it starts at sw W0). The nonzero columns of each row of G
 * are listed first (idx, scratch of n ints), so the inner loops have no data-dependent branch;
 * blocks of 16 columns of W stay in registers while the listed rows of X stream by.
 */
/* Rows longer than this take the streaming loop of mm_acc (register blocks stop paying off when a
 * block's rows of X no longer stay in cache). */
#define MM_ACC_ROW_BLOCKED_MAX 512

EXPORT(mm_acc)
void mm_acc(f64 *W, const f64 *G, const f64 *X, int *idx, int m, int n, int d) {
  for (int j = 0; j < m; j++) {
    const f64 *g = G + j * n;
    int cnt = 0;
    for (int i = 0; i < n; i++) {
      idx[cnt] = i;
      cnt += g[i] != 0;
    }
    if (cnt == 0) continue;
    f64 *w = W + j * d;
    int q = 0;
    if (d > MM_ACC_ROW_BLOCKED_MAX) {
      /* long rows: one pass per listed row of X, both rows contiguous (the W row stays in cache) */
      for (int t = 0; t < cnt; t++) {
        int i = idx[t];
        v128_t s = wasm_v128_load64_splat(g + i);
        const f64 *x = X + i * d;
        int p = 0;
        for (; p + 4 <= d; p += 4) {
          wasm_v128_store(w + p, wasm_f64x2_add(wasm_v128_load(w + p), wasm_f64x2_mul(s, wasm_v128_load(x + p))));
          wasm_v128_store(w + p + 2, wasm_f64x2_add(wasm_v128_load(w + p + 2), wasm_f64x2_mul(s, wasm_v128_load(x + p + 2))));
        }
        for (; p < d; p++) w[p] += g[i] * x[p];
      }
      continue;
    }
    for (; q + 16 <= d; q += 16) {
      v128_t w0 = wasm_v128_load(w + q), w1 = wasm_v128_load(w + q + 2);
      v128_t w2 = wasm_v128_load(w + q + 4), w3 = wasm_v128_load(w + q + 6);
      v128_t w4 = wasm_v128_load(w + q + 8), w5 = wasm_v128_load(w + q + 10);
      v128_t w6 = wasm_v128_load(w + q + 12), w7 = wasm_v128_load(w + q + 14);
      for (int t = 0; t < cnt; t++) {
        int i = idx[t];
        v128_t s = wasm_v128_load64_splat(g + i);
        const f64 *x = X + i * d + q;
        w0 = wasm_f64x2_add(w0, wasm_f64x2_mul(s, wasm_v128_load(x)));
        w1 = wasm_f64x2_add(w1, wasm_f64x2_mul(s, wasm_v128_load(x + 2)));
        w2 = wasm_f64x2_add(w2, wasm_f64x2_mul(s, wasm_v128_load(x + 4)));
        w3 = wasm_f64x2_add(w3, wasm_f64x2_mul(s, wasm_v128_load(x + 6)));
        w4 = wasm_f64x2_add(w4, wasm_f64x2_mul(s, wasm_v128_load(x + 8)));
        w5 = wasm_f64x2_add(w5, wasm_f64x2_mul(s, wasm_v128_load(x + 10)));
        w6 = wasm_f64x2_add(w6, wasm_f64x2_mul(s, wasm_v128_load(x + 12)));
        w7 = wasm_f64x2_add(w7, wasm_f64x2_mul(s, wasm_v128_load(x + 14)));
      }
      wasm_v128_store(w + q, w0);
      wasm_v128_store(w + q + 2, w1);
      wasm_v128_store(w + q + 4, w2);
      wasm_v128_store(w + q + 6, w3);
      wasm_v128_store(w + q + 8, w4);
      wasm_v128_store(w + q + 10, w5);
      wasm_v128_store(w + q + 12, w6);
      wasm_v128_store(w + q + 14, w7);
    }
    for (; q + 2 <= d; q += 2) {
      v128_t w0 = wasm_v128_load(w + q);
      for (int t = 0; t < cnt; t++) {
        int i = idx[t];
        w0 = wasm_f64x2_add(w0, wasm_f64x2_mul(wasm_v128_load64_splat(g + i), wasm_v128_load(X + i * d + q)));
      }
      wasm_v128_store(w + q, w0);
    }
    for (; q < d; q++) {
      f64 acc = w[q];
      for (int t = 0; t < cnt; t++) {
        int i = idx[t];
        acc += g[i] * X[i * d + q];
      }
      w[q] = acc;
    }
  }
}

/* sigma(z) for one lane pair: z where z > 0, slope * z elsewhere (relu: slope = 0). */
static inline v128_t act2(v128_t z, v128_t slope) {
  return wasm_v128_bitselect(z, wasm_f64x2_mul(slope, z), wasm_f64x2_gt(z, splat(0)));
}

/*
 * sigma'(z) per lane: 1 where z > 0, slope elsewhere. For relu (slope = 0) the mask of 1.0 is
 * enough: 1 & 0 = +0 is the bit pattern of slope. `relu` is loop-invariant, so the loops are
 * specialised on it.
 */
static inline v128_t dsigma(v128_t z, v128_t one, v128_t slope, int relu) {
  v128_t mk = wasm_f64x2_gt(z, splat(0));
  return relu ? wasm_v128_and(one, mk) : wasm_v128_bitselect(one, slope, mk);
}

/*
 * Outputs f[i] = sum_j (s a_j) sigma(Z[j*n + i]), j ascending from +0, skipping neurons with
 * s a_j == 0 (lossGradFromZ). Lanes run over samples.
 */
EXPORT(fwd)
void fwd(f64 *f, const f64 *Z, const f64 *a, f64 s, f64 slope, int m, int n) {
  for (int i = 0; i < n; i++) f[i] = 0;
  v128_t sl = splat(slope);
  for (int j = 0; j < m; j++) {
    f64 aj = s * a[j];
    if (aj == 0) continue;
    v128_t av = splat(aj);
    const f64 *z = Z + j * n;
    int i = 0;
    for (; i + 2 <= n; i += 2) {
      v128_t h = act2(wasm_v128_load(z + i), sl);
      wasm_v128_store(f + i, wasm_f64x2_add(wasm_v128_load(f + i), wasm_f64x2_mul(av, h)));
    }
    for (; i < n; i++) {
      f64 zi = z[i];
      f[i] += aj * (zi > 0 ? zi : slope * zi);
    }
  }
}

/*
 * G[j*n + i] = (s a_j r_i) sigma'(z) and gA[j] = s sum_i (r_i sigma'(z)) z, i ascending
 * (lossGradFromZ: sigma'(z) = 1 for z > 0, slope elsewhere; the products are formed as
 * (s a_j r_i) slope and (r_i slope) z, as there). G may be 0 (null): gradients of a only.
 * Lanes run over pairs of neurons, so each lane's sum keeps its order.
 */
EXPORT(bwd)
void bwd(f64 *G, f64 *gA, const f64 *Z, const f64 *a, const f64 *r, f64 s, f64 slope, int m, int n) {
  v128_t sl = splat(slope), one = splat(1), zero = splat(0);
  int relu = slope == 0;
  int j = 0;
  for (; j + 4 <= m; j += 4) {
    v128_t sa0 = wasm_f64x2_make(s * a[j], s * a[j + 1]);
    v128_t sa1 = wasm_f64x2_make(s * a[j + 2], s * a[j + 3]);
    v128_t ga0 = zero, ga1 = zero;
    int o0 = j * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (int i = 0; i < n; i++) {
      v128_t ri = wasm_v128_load64_splat(r + i);
      v128_t z0 = wasm_v128_load64_lane(Z + o1 + i, wasm_v128_load64_splat(Z + o0 + i), 1);
      v128_t z1 = wasm_v128_load64_lane(Z + o3 + i, wasm_v128_load64_splat(Z + o2 + i), 1);
      v128_t dz0 = dsigma(z0, one, sl, relu);
      v128_t dz1 = dsigma(z1, one, sl, relu);
      ga0 = wasm_f64x2_add(ga0, wasm_f64x2_mul(wasm_f64x2_mul(ri, dz0), z0));
      ga1 = wasm_f64x2_add(ga1, wasm_f64x2_mul(wasm_f64x2_mul(ri, dz1), z1));
      if (G) {
        v128_t g0 = wasm_f64x2_mul(wasm_f64x2_mul(sa0, ri), dz0);
        v128_t g1 = wasm_f64x2_mul(wasm_f64x2_mul(sa1, ri), dz1);
        wasm_v128_store64_lane(G + o0 + i, g0, 0);
        wasm_v128_store64_lane(G + o1 + i, g0, 1);
        wasm_v128_store64_lane(G + o2 + i, g1, 0);
        wasm_v128_store64_lane(G + o3 + i, g1, 1);
      }
    }
    gA[j] = s * wasm_f64x2_extract_lane(ga0, 0);
    gA[j + 1] = s * wasm_f64x2_extract_lane(ga0, 1);
    gA[j + 2] = s * wasm_f64x2_extract_lane(ga1, 0);
    gA[j + 3] = s * wasm_f64x2_extract_lane(ga1, 1);
  }
  for (; j < m; j++) {
    f64 saj = s * a[j];
    f64 ga = 0;
    const f64 *z0 = Z + j * n;
    for (int i = 0; i < n; i++) {
      f64 z = z0[i], ri = r[i];
      f64 dz = z > 0 ? 1.0 : slope;
      ga += ri * dz * z;
      if (G) G[j * n + i] = saj * ri * dz;
    }
    gA[j] = s * ga;
  }
}

/*
 * Orthogonal data, reduced form, forward (system.ts derivDiag): state y = [C (m*n) | a | b | sw],
 * Z[j*n + i] = sw P0[j*n + i] + C[j*n + i] Kd[i] + b_j and f[i] = sum_j (s a_j) sigma(Z_ji),
 * j ascending from +0 (no skip). bOff < 0: no biases. Without biases the "+ 0" of the JavaScript
 * loop is left out and, for relu, sigma(z) is z masked by z > 0 instead of 0 * z: both change
 * only the sign of a zero in Z or in a term of f, and f (a sum from +0) and everything computed
 * from Z are the same bit for bit.
 */
EXPORT(ortho_fwd) __attribute__((noinline))
void ortho_fwd(f64 *Z, f64 *f, const f64 *P0, const f64 *Kd, const f64 *y, int aOff, int bOff, int swOff, f64 s, f64 slope, int m, int n) {
  f64 sw = y[swOff];
  v128_t swv = splat(sw), sl = splat(slope), zero = splat(0);
  int relu = slope == 0;
  for (int i = 0; i < n; i++) f[i] = 0;
  for (int j = 0; j < m; j++) {
    int off = j * n;
    f64 aj = s * y[aOff + j];
    f64 bj = bOff >= 0 ? y[bOff + j] : 0;
    v128_t av = splat(aj), bv = splat(bj);
    const f64 *p = P0 + off, *cc = y + off;
    f64 *zz = Z + off;
    int i = 0;
    if (bOff < 0 && relu) {
      for (; i + 4 <= n; i += 4) {
        v128_t z0 = wasm_f64x2_add(wasm_f64x2_mul(swv, wasm_v128_load(p + i)), wasm_f64x2_mul(wasm_v128_load(cc + i), wasm_v128_load(Kd + i)));
        v128_t z1 = wasm_f64x2_add(wasm_f64x2_mul(swv, wasm_v128_load(p + i + 2)), wasm_f64x2_mul(wasm_v128_load(cc + i + 2), wasm_v128_load(Kd + i + 2)));
        wasm_v128_store(zz + i, z0);
        wasm_v128_store(zz + i + 2, z1);
        v128_t h0 = wasm_v128_and(z0, wasm_f64x2_gt(z0, zero));
        v128_t h1 = wasm_v128_and(z1, wasm_f64x2_gt(z1, zero));
        wasm_v128_store(f + i, wasm_f64x2_add(wasm_v128_load(f + i), wasm_f64x2_mul(av, h0)));
        wasm_v128_store(f + i + 2, wasm_f64x2_add(wasm_v128_load(f + i + 2), wasm_f64x2_mul(av, h1)));
      }
    } else if (bOff < 0) {
      for (; i + 2 <= n; i += 2) {
        v128_t z = wasm_f64x2_add(wasm_f64x2_mul(swv, wasm_v128_load(p + i)), wasm_f64x2_mul(wasm_v128_load(cc + i), wasm_v128_load(Kd + i)));
        wasm_v128_store(zz + i, z);
        wasm_v128_store(f + i, wasm_f64x2_add(wasm_v128_load(f + i), wasm_f64x2_mul(av, act2(z, sl))));
      }
    } else {
      for (; i + 2 <= n; i += 2) {
        v128_t z = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(swv, wasm_v128_load(p + i)), wasm_f64x2_mul(wasm_v128_load(cc + i), wasm_v128_load(Kd + i))), bv);
        wasm_v128_store(zz + i, z);
        wasm_v128_store(f + i, wasm_f64x2_add(wasm_v128_load(f + i), wasm_f64x2_mul(av, act2(z, sl))));
      }
    }
    for (; i < n; i++) {
      f64 z = sw * p[i] + cc[i] * Kd[i] + bj;
      zz[i] = z;
      f[i] += aj * (z > 0 ? z : slope * z);
    }
  }
}

/*
 * Orthogonal data, reduced form, backward (system.ts derivDiag): out = minus the gradient of the
 * regularised objective, from Z and r (r_i = dl/df_i / n). Per neuron, i ascending:
 * g = (s a_j r_i) sigma'(z), ga += (r_i sigma'(z)) z, gb += g, out_C = -g - c C; then
 * out_a = trainA ? -s ga - c a_j : 0, out_b = -gb - c b_j, out_sw = -c sw.
 */
EXPORT(ortho_bwd) __attribute__((noinline))
void ortho_bwd(f64 *out, const f64 *Z, const f64 *r, const f64 *y, int aOff, int bOff, int swOff, f64 s, f64 slope, f64 c, int trainA, int m, int n) {
  v128_t sl = splat(slope), one = splat(1), zero = splat(0), cv = splat(c);
  int relu = slope == 0;
  int j = 0;
  /* four neurons at a time: two independent vector sums, so the adds of one do not wait for the other */
  for (; j + 4 <= m; j += 4) {
    v128_t sa0 = wasm_f64x2_make(s * y[aOff + j], s * y[aOff + j + 1]);
    v128_t sa1 = wasm_f64x2_make(s * y[aOff + j + 2], s * y[aOff + j + 3]);
    v128_t ga0 = zero, gb0 = zero, ga1 = zero, gb1 = zero;
    int o0 = j * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (int i = 0; i < n; i++) {
      v128_t ri = wasm_v128_load64_splat(r + i);
      v128_t z0 = wasm_v128_load64_lane(Z + o1 + i, wasm_v128_load64_splat(Z + o0 + i), 1);
      v128_t z1 = wasm_v128_load64_lane(Z + o3 + i, wasm_v128_load64_splat(Z + o2 + i), 1);
      v128_t y0 = wasm_v128_load64_lane(y + o1 + i, wasm_v128_load64_splat(y + o0 + i), 1);
      v128_t y1 = wasm_v128_load64_lane(y + o3 + i, wasm_v128_load64_splat(y + o2 + i), 1);
      v128_t dz0 = dsigma(z0, one, sl, relu);
      v128_t dz1 = dsigma(z1, one, sl, relu);
      ga0 = wasm_f64x2_add(ga0, wasm_f64x2_mul(wasm_f64x2_mul(ri, dz0), z0));
      ga1 = wasm_f64x2_add(ga1, wasm_f64x2_mul(wasm_f64x2_mul(ri, dz1), z1));
      v128_t g0 = wasm_f64x2_mul(wasm_f64x2_mul(sa0, ri), dz0);
      v128_t g1 = wasm_f64x2_mul(wasm_f64x2_mul(sa1, ri), dz1);
      gb0 = wasm_f64x2_add(gb0, g0);
      gb1 = wasm_f64x2_add(gb1, g1);
      v128_t q0 = wasm_f64x2_sub(wasm_f64x2_neg(g0), wasm_f64x2_mul(cv, y0));
      v128_t q1 = wasm_f64x2_sub(wasm_f64x2_neg(g1), wasm_f64x2_mul(cv, y1));
      wasm_v128_store64_lane(out + o0 + i, q0, 0);
      wasm_v128_store64_lane(out + o1 + i, q0, 1);
      wasm_v128_store64_lane(out + o2 + i, q1, 0);
      wasm_v128_store64_lane(out + o3 + i, q1, 1);
    }
    f64 gas[4] = {wasm_f64x2_extract_lane(ga0, 0), wasm_f64x2_extract_lane(ga0, 1), wasm_f64x2_extract_lane(ga1, 0), wasm_f64x2_extract_lane(ga1, 1)};
    f64 gbs[4] = {wasm_f64x2_extract_lane(gb0, 0), wasm_f64x2_extract_lane(gb0, 1), wasm_f64x2_extract_lane(gb1, 0), wasm_f64x2_extract_lane(gb1, 1)};
    for (int l = 0; l < 4; l++) {
      int jj = j + l;
      out[aOff + jj] = trainA ? -s * gas[l] - c * y[aOff + jj] : 0;
      if (bOff >= 0) out[bOff + jj] = -gbs[l] - c * y[bOff + jj];
    }
  }
  for (; j < m; j++) {
    int off = j * n;
    f64 saj = s * y[aOff + j];
    f64 ga = 0, gb = 0;
    for (int i = 0; i < n; i++) {
      f64 z = Z[off + i], ri = r[i];
      f64 dz = z > 0 ? 1.0 : slope;
      ga += ri * dz * z;
      f64 g = saj * ri * dz;
      gb += g;
      out[off + i] = -g - c * y[off + i];
    }
    out[aOff + j] = trainA ? -s * ga - c * y[aOff + j] : 0;
    if (bOff >= 0) out[bOff + j] = -gb - c * y[bOff + j];
  }
  out[swOff] = -c * y[swOff];
}

/* y[q] += eta * g[q]; returns 1 when every updated entry is finite, else 0. */
EXPORT(axpy_finite)
int axpy_finite(f64 *y, const f64 *g, f64 eta, int dim) {
  v128_t e = splat(eta), bad0 = splat(0), bad1 = splat(0);
  int q = 0;
  for (; q + 4 <= dim; q += 4) {
    v128_t v0 = wasm_f64x2_add(wasm_v128_load(y + q), wasm_f64x2_mul(e, wasm_v128_load(g + q)));
    v128_t v1 = wasm_f64x2_add(wasm_v128_load(y + q + 2), wasm_f64x2_mul(e, wasm_v128_load(g + q + 2)));
    wasm_v128_store(y + q, v0);
    wasm_v128_store(y + q + 2, v1);
    /* v - v is NaN iff v is NaN or infinite; a NaN stays NaN through the sums */
    bad0 = wasm_f64x2_add(bad0, wasm_f64x2_sub(v0, v0));
    bad1 = wasm_f64x2_add(bad1, wasm_f64x2_sub(v1, v1));
  }
  v128_t bad = wasm_f64x2_add(bad0, bad1);
  f64 acc = wasm_f64x2_extract_lane(bad, 0) + wasm_f64x2_extract_lane(bad, 1);
  for (; q < dim; q++) {
    y[q] += eta * g[q];
    acc += y[q] - y[q];
  }
  return acc == 0;
}

/*
 * Epilogue of the pre-activations: Z[j*n + i] = (sw P0[j*n + i] + Z[j*n + i]) + b_j, or
 * Z + b_j without P0 (P0 = 0); b = 0 adds +0 (as the JavaScript loops do).
 */
EXPORT(add_bias)
void add_bias(f64 *Z, const f64 *P0, f64 sw, const f64 *b, int m, int n) {
  for (int j = 0; j < m; j++) {
    f64 bj = b ? b[j] : 0;
    f64 *z = Z + j * n;
    if (P0) {
      const f64 *p = P0 + j * n;
      for (int i = 0; i < n; i++) z[i] = sw * p[i] + z[i] + bj;
    } else {
      for (int i = 0; i < n; i++) z[i] = z[i] + bj;
    }
  }
}

/*
 * Square loss on orthogonal data, reduced form: ortho_fwd, then the loss 1/(2n) sum (f_i - y_i)^2
 * and r_i = (f_i - y_i) / n written out as system.ts lossFromOutputs does, then ortho_bwd, in one
 * call. Returns the loss.
 */
EXPORT(ortho_square)
f64 ortho_square(f64 *out, f64 *Z, f64 *f, f64 *r, const f64 *P0, const f64 *Kd, const f64 *y, const f64 *lab, int aOff, int bOff, int swOff, f64 s, f64 slope, f64 c, int trainA, int m, int n) {
  ortho_fwd(Z, f, P0, Kd, y, aOff, bOff, swOff, s, slope, m, n);
  f64 total = 0, invN = 1.0 / n;
  for (int i = 0; i < n; i++) {
    f64 e = f[i] - lab[i];
    total += 0.5 * e * e;
    r[i] = e * invN;
  }
  ortho_bwd(out, Z, r, y, aOff, bOff, swOff, s, slope, c, trainA, m, n);
  return total * invN;
}

/*
 * Reduced form, general Gram matrix (system.ts reducedSystem `pre`), forward in one call:
 * Z = C K (C = the first m*n entries of y), Z = (sw P0 + Z) + b_j, then the outputs f.
 */
EXPORT(red_fwd)
void red_fwd(f64 *Z, f64 *f, const f64 *y, const f64 *K, const f64 *P0, int aOff, int bOff, int swOff, f64 s, f64 slope, int m, int n) {
  mm_nt(Z, y, K, m, n, n);
  add_bias(Z, P0, y[swOff], bOff >= 0 ? y + bOff : 0, m, n);
  fwd(f, Z, y + aOff, s, slope, m, n);
}

/*
 * Reduced form, general Gram matrix, backward in one call: G and gA (bwd), then
 * out_C = -G - c C, out_a = trainA ? -gA - c a : 0, out_b = -(sum_i G_ji) - c b_j (i ascending),
 * out_sw = -c sw: the assembly loops of reducedSystem.deriv.
 */
EXPORT(red_bwd)
void red_bwd(f64 *out, f64 *G, f64 *gA, const f64 *Z, const f64 *y, const f64 *r, int aOff, int bOff, int swOff, f64 s, f64 slope, f64 c, int trainA, int m, int n) {
  bwd(G, gA, Z, y + aOff, r, s, slope, m, n);
  int cs = m * n;
  for (int q = 0; q < cs; q++) out[q] = -G[q] - c * y[q];
  for (int j = 0; j < m; j++) out[aOff + j] = trainA ? -gA[j] - c * y[aOff + j] : 0;
  if (bOff >= 0) {
    for (int j = 0; j < m; j++) {
      f64 acc = 0;
      for (int i = 0; i < n; i++) acc += G[j * n + i];
      out[bOff + j] = -acc - c * y[bOff + j];
    }
  }
  out[swOff] = -c * y[swOff];
}

/*
 * Full form, forward in one call: Z = W X^T (W = the first m*d entries of y), + b_j when there are
 * biases (without biases the "+ 0" of preActivations only changes the sign of zeros of Z, which
 * nothing downstream can see), then the outputs f.
 */
EXPORT(full_fwd)
void full_fwd(f64 *Z, f64 *f, const f64 *y, const f64 *XT, int aOff, int bOff, f64 s, f64 slope, int m, int n, int d) {
  mm_nt(Z, y, XT, m, n, d);
  if (bOff >= 0) add_bias(Z, 0, 0, y + bOff, m, n);
  fwd(f, Z, y + aOff, s, slope, m, n);
}

/*
 * Full form, backward in one call: G and gA (bwd), gW = G X (mm_acc from 0), then
 * out_W = -gW - c W, out_a = trainA ? -gA - c a : 0, out_b = -(sum_i G_ji) - c b_j.
 */
EXPORT(full_bwd)
void full_bwd(f64 *out, f64 *G, f64 *gA, f64 *gW, int *idx, const f64 *Z, const f64 *y, const f64 *r, const f64 *X, int aOff, int bOff, f64 s, f64 slope, f64 c, int trainA, int m, int n, int d) {
  bwd(G, gA, Z, y + aOff, r, s, slope, m, n);
  int ws = m * d;
  for (int q = 0; q < ws; q++) gW[q] = 0;
  mm_acc(gW, G, X, idx, m, n, d);
  for (int q = 0; q < ws; q++) out[q] = -gW[q] - c * y[q];
  for (int j = 0; j < m; j++) out[aOff + j] = trainA ? -gA[j] - c * y[aOff + j] : 0;
  if (bOff >= 0) {
    for (int j = 0; j < m; j++) {
      f64 acc = 0;
      for (int i = 0; i < n; i++) acc += G[j * n + i];
      out[bOff + j] = -acc - c * y[bOff + j];
    }
  }
}
