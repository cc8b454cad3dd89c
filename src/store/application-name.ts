/**
 * `kairos-<replica id>` for `pg_stat_activity`, within PostgreSQL's 63 bytes: a long host name is
 * shortened, never the pid and random tail that make the id unique.
 */
export function applicationNameOf(replicaId: string): string {
  const name = `kairos-${replicaId}`;
  if (name.length <= 63) return name;
  const tail = replicaId.split('-').slice(-2).join('-');
  const host = replicaId.slice(0, replicaId.length - tail.length - 1).slice(0, 63 - 'kairos-'.length - tail.length - 1);
  return `kairos-${host}-${tail}`;
}
