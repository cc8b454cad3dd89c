// The cluster logic is shared with `npm run chaos` (chaos/postgres-cluster.ts).
export {
  createPostgresCluster,
  createStandby,
  type PostgresCluster,
  type PostgresStandby,
} from '../../chaos/postgres-cluster.ts';
