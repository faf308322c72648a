/**
 * An external mutant of a registered claim:
 *   npx flowcheck mutate --claim zero-loss --mutant examples/mutant.ts
 * A planted false variant of zero-loss: "the limit loss of an uncovered point is y_i^2 / (4n)"
 * (half the true L_inf), judged by zero-loss's own test on zero-loss's own trials.
 */
import { orthogonalLimit, type Mutant } from 'flowcheck';

type O = { U0: number[]; a0: number[]; y: number[]; m: number; n: number };

const mutant: Mutant = {
  id: 'half-linf',
  statement: 'L_inf = 1/(4n) sum_{uncovered} y_i^2',
  rationale: 'a factor 1/2 lost in the loss normalisation',
  prediction: {
    name: 'orthogonalLimit(linfFactor 1/2)',
    statement: 'half the coverage law\'s limit',
    predict: (_p, o) => {
      const ob = o as unknown as O;
      return orthogonalLimit(ob.U0, ob.a0, ob.y, ob.m, ob.n, { linfFactor: 0.5 });
    },
  },
};
export default mutant;
