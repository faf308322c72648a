import { claimTests } from './_claimTests.ts';

claimTests(3, 4);
