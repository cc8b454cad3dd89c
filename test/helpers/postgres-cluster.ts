// The cluster logic is shared with `npm run chaos` (chaos/postgres-cluster.ts).
export { createPostgresCluster, type PostgresCluster } from '../../chaos/postgres-cluster.ts';
