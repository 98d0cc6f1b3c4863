import { afterEach } from 'vitest';
import { stopChildren } from './helpers.js';

// Every child process a test started (helpers.ts `start`, `run`, `track`) is stopped after the test,
// also when an assertion failed or the test timed out.
afterEach(stopChildren);
