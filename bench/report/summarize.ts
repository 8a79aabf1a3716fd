/** The report computed from raw runs: medians per server, the problems that fail it, and the targets. */
import type { ServerKind } from '../servers';
import { runProblems } from './problems';
import type { RawResults } from './raw';
import { summarizeServers, type ServerSummary } from './summary';
import { historyTargets } from './history-targets';
import { pushTargets } from './push-targets';
import { scaleOutTargets } from './scale-out';
import { soakProblems, soakTargets } from './soak';
import { uploadTargets } from './upload-targets';
import { evaluateTargets, type TargetRow } from './targets';

export type Summary = {
  servers: Partial<Record<ServerKind, ServerSummary>>;
  rssStep: number;
  catchupSize: string;
  /** Empty when every planned run completed in full; otherwise the report fails. */
  problems: string[];
  targets: TargetRow[];
};

export function summarize(raw: RawResults, rssStep: number, catchupSize: string): Summary {
  const servers = summarizeServers(raw, rssStep);
  return {
    servers,
    rssStep,
    catchupSize,
    problems: [...runProblems(raw), ...soakProblems(raw)],
    targets: [
      ...evaluateTargets(servers, raw.client, catchupSize, rssStep),
      ...scaleOutTargets(raw),
      ...historyTargets(raw),
      ...pushTargets(raw),
      ...soakTargets(raw),
      ...uploadTargets(raw),
    ],
  };
}
