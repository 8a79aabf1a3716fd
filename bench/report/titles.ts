import type { ServerKind } from '../servers';

/** How the report names each server. */
export const TITLES: Record<ServerKind, string> = {
  ours: 'ours',
  tutorial: 'tutorial',
  null: 'null (1 process)',
  'null-cluster': 'null cluster',
  'ours-pg': 'ours, PostgreSQL + Redis',
  'ours-pg-2': 'ours, PostgreSQL + Redis, 2 instances',
};
