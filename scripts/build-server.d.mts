/** Builds the server into `outdir` (default build/server). */
export function buildServer(outdir?: string): Promise<void>;
