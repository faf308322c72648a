/**
 * flowcheck's public API (the one hand-written barrel). Claims are declared with defineClaim,
 * run with checkClaim (returns data) or assertClaim (throws with the verdict, seeds and the
 * command that reproduces it). The core, theory and statistics pieces a claim needs are
 * re-exported here; everything else is internal.
 */
export { defineClaim, judgeTrial, evidencePasses } from './claims/claim.ts';
export type { Claim, ClaimMeta, ClaimParams, Check, CheckKind, Criterion, Mutant, Observation, Observed, Prediction, Tolerance, TrialOutcome, ClaimExtras, EdgeSpec, Budget, BudgetSpec, RateClaim, ExactCellClaim, Json } from './claims/claim.ts';
export { checkClaim, type CheckClaimOptions } from './api/checkClaim.ts';
export { assertClaim, ClaimAssertionError } from './api/assertClaim.ts';
export { getClaim, claimIds, registerClaim, loadClaimFile } from './claims/registry.ts';
export type { ClaimResult, MutantResult, Report } from './report/report.types.ts';
// Core and theory a claim builds on.
export { simulate } from './core/dynamics.ts';
export { Rng, deriveSeed } from './core/rng.ts';
export { orthogonalData, isotropicData, subspaceData, clusterData } from './core/data.ts';
export { balancedInit, gaussianInit, fixedSecondLayerInit, danaInit, paramsFromArrays } from './core/init.ts';
export { evalLoss } from './core/model.ts';
export type { Dataset, Params, Problem, ModelConfig, DynamicsConfig, Trajectory } from './core/types.ts';
export { orthogonalLimit } from './theory/orthogonal.ts';
export { interpolationProbability } from './theory/widthLaw.ts';
