import { describe, expect, it } from 'vitest';
import { KY_SOURCES, oneCallGzipBytes } from '../scripts/one-call-bundle.mjs';

// Size ceilings of a one-call app (minified, gzip -9) bundled from the BUILT package. Raise a ceiling
// only in the commit that grows the bundle, and write the new figure in that commit's message.
const LITE_CEILING = 6_600; // measured 6,517 bytes (sdk: one timer per client, no security lists); the official SDK's one-call app is 13.3 KB
const MAIN_BEFORE_CALL_CEILING = 11_700; // measured 11,192 bytes (ky and the validators are chunks of their own)
// With ky's chunk, which the default build starts loading when a KardClient is made (src/client.default.ts):
// everything a request needs but the validators.
const MAIN_WITH_KY_CEILING = 16_500; // measured 15,785 bytes

describe('bundle size of a one-call app (built package)', () => {
  it(`@kardkit/sdk/lite stays under ${LITE_CEILING} bytes gzipped`, async () => {
    const bytes = await oneCallGzipBytes('@kardkit/sdk/lite', false);
    expect(bytes).toBeGreaterThan(1_000); // a real bundle, not an empty one
    expect(bytes).toBeLessThanOrEqual(LITE_CEILING);
  }, 300_000); // bundling with esbuild: slow on a loaded machine

  it(`@kardkit/sdk loads under ${MAIN_BEFORE_CALL_CEILING} bytes gzipped before the first call`, async () => {
    const bytes = await oneCallGzipBytes('@kardkit/sdk', true);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThanOrEqual(MAIN_BEFORE_CALL_CEILING);
  }, 300_000);

  it(`@kardkit/sdk with ky's chunk stays under ${MAIN_WITH_KY_CEILING} bytes gzipped, ky split off the first load`, async () => {
    const [first, withKy] = await Promise.all([
      oneCallGzipBytes('@kardkit/sdk', true),
      oneCallGzipBytes('@kardkit/sdk', true, KY_SOURCES),
    ]);
    expect(withKy - first).toBeGreaterThan(4_000); // ky (about 5 KB) is in a chunk of its own
    expect(withKy).toBeLessThanOrEqual(MAIN_WITH_KY_CEILING);
  }, 300_000);
});
