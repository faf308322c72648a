import { claimTests } from './_claimTests.ts';

claimTests(2, 4);
