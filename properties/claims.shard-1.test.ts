import { claimTests } from './_claimTests.ts';

claimTests(1, 4);
