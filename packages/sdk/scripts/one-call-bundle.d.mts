/** ky's own files, wherever the package manager puts them (see one-call-bundle.mjs). */
export const KY_SOURCES: RegExp;
/**
 * Gzipped bytes of what a one-call app on `entry` loads before its call, plus the lazily imported
 * chunks holding a source that matches `alsoLazy` (see one-call-bundle.mjs).
 */
export function oneCallGzipBytes(entry: string, splitting: boolean, alsoLazy?: RegExp): Promise<number>;
