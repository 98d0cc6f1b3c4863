/**
 * Build-time stand-in for the generated `client.gen.ts` (see tsup.config.ts). The generated sdk
 * functions fall back to a default ky client when no `client` is passed; KardClient always passes its
 * own, so the default (and ky with it) would only cost bundle size and a top-level side effect.
 */
export const client = undefined;
