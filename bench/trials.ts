/**
 * The whole-trial cases of `npm run bench` (entry 10): one regime instance per heavy claim. Kept
 * apart from bench/run.ts so that a test (bench/trials.test.ts, in npm test, not timed) checks
 * that each still is an instance of its claim's current regime.
 */
export const BENCH_TRIALS: { id: string; params: Record<string, number>; what: string }[] = [
  { id: 'leaky-rank', params: { nHalf: 6, mTwenties: 5, gTenths: 5, kappaExp: -2, seed: 11 }, what: 'n=12 m=100 g=0.5 (training + rank, boundary and KKT checks)' },
  { id: 'off-subspace', params: { settingSel: 0, dSel: 0, nHalf: 10, mSel: 4, betaSel: 0, seed: 11 }, what: 'n=20 d=1024 m=64 (GD to margin 0.3 at beta and beta/4, flip searches in P_perp)' },
];
