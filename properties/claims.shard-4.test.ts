import { claimTests } from './_claimTests.ts';

claimTests(4, 4);
