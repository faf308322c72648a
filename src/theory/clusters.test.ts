import { describe, expect, test } from 'vitest';
import { Rng } from '../core/rng.ts';
import { randomOrthonormal } from '../core/linalg.ts';
import { C_FLIP, flipRadius, robustCertificate, twoNeuronClusterNetwork } from './clusters.ts';
import { rayFlipRadius, robustCertifiedRadius, signedMeanDirection } from '../claims/_internals/highdim.ts';
import { CLUSTER_MODEL } from '../claims/_internals/clustersRun.ts';

/** rayFlipRadius bisects to relative width 1e-6. */
const BISECTION_REL = 2e-6;
/** Closed forms evaluated two ways. */
const ROUNDOFF = 1e-12;

/** k exactly orthogonal means of norm r in R^d and labels with both signs. */
function orthogonalMeans(rng: Rng, k: number, d: number, r: number, labels: number[]): { means: Float64Array; clusterLabels: Float64Array } {
  const means = randomOrthonormal(rng, k, d);
  for (let i = 0; i < k * d; i++) means[i] *= r;
  return { means, clusterLabels: Float64Array.from(labels) };
}

describe('flipRadius: C_FLIP = 1 is the first flip of the equal-margin two-neuron network', () => {
  test.each([
    [2, [1, -1]],
    [3, [1, 1, -1]],
    [8, [1, -1, -1, 1, 1, 1, -1, 1]],
    [13, [1, -1, -1, -1, -1, -1, -1, -1, -1, 1, -1, -1, -1]],
  ])('k = %i: at every mean the flip along -y u is at ||mu|| / sqrt(k)', (k, labels) => {
    const d = 20;
    const r = 1.7;
    const { means, clusterLabels } = orthogonalMeans(new Rng(k), k, d, r, labels);
    const { W, a } = twoNeuronClusterNetwork(means, clusterLabels, k, d);
    const net = { m: 2, d, W, a, b: null };
    const u = signedMeanDirection({ k, d, means, clusterLabels, noiseStd: 0 });
    for (let c = 0; c < k; c++) {
      const rad = rayFlipRadius(net, CLUSTER_MODEL, means.subarray(c * d, (c + 1) * d), clusterLabels[c], u, 10 * r);
      expect(Math.abs(rad - flipRadius(r, k))).toBeLessThanOrEqual(BISECTION_REL * rad);
    }
    expect(C_FLIP).toBe(1);
  });
});

describe('robustCertificate matches the interval certificate at noiseless means', () => {
  test('orthogonal means: ||mu|| / 2', () => {
    const k = 5;
    const d = 12;
    const { means, clusterLabels } = orthogonalMeans(new Rng(1), k, d, 2, [1, -1, 1, -1, -1]);
    const spec = { k, d, means, clusterLabels, noiseStd: 0 };
    for (let c = 0; c < k; c++) expect(Math.abs(robustCertifiedRadius(spec, means.slice(c * d, (c + 1) * d)) - robustCertificate(2))).toBeLessThanOrEqual(ROUNDOFF);
  });
  test('pairwise cosine rho (mu_c = sqrt(rho) e_0 + sqrt(1 - rho) e_c): (1/2 - rho) ||mu||', () => {
    const k = 4;
    const d = 8;
    const rho = 0.3;
    const E = randomOrthonormal(new Rng(2), k + 1, d);
    const means = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let q = 0; q < d; q++) means[c * d + q] = Math.sqrt(rho) * E[q] + Math.sqrt(1 - rho) * E[(c + 1) * d + q];
    const spec = { k, d, means, clusterLabels: Float64Array.from([1, -1, 1, -1]), noiseStd: 0 };
    for (let c = 0; c < k; c++) expect(Math.abs(robustCertifiedRadius(spec, means.slice(c * d, (c + 1) * d)) - robustCertificate(1, rho))).toBeLessThanOrEqual(ROUNDOFF);
  });
});
