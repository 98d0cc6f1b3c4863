/**
 * Build-time stand-in for the generated `core/serverSentEvents.gen.ts` (see tsup.config.ts): the
 * generated client offers `client.sse.*` for server-sent events, which no operation of
 * openapi/kard.yaml uses and KardClient never calls; the stand-in keeps ~2 KB out of every bundle.
 */
export const createSseClient = (): never => {
  throw new Error('Server-sent events are not part of the Kard API');
};
