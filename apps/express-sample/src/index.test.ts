import { describe, expect, it } from 'vitest';
import { packageName } from './index.js';

describe('package', () => {
  it('names itself', () => {
    expect(packageName).toBe('@kardkit/express-sample');
  });
});
