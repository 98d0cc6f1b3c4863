import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig(['src/**/*.ts', '!src/**/*.test.ts', '!src/generated/**']);
