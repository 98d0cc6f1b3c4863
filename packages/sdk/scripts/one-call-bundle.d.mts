/** Gzipped bytes of what a one-call app on `entry` loads before its call (see one-call-bundle.mjs). */
export function oneCallGzipBytes(entry: string, splitting: boolean): Promise<number>;
