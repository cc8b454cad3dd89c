import { Command, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { packageRoot } from '../package-root.ts';

/**
 * `npx kairos serve` in a checkout whose dashboard was never built (`npm install` builds it at
 * `prepare`; an install with --ignore-scripts does not): build it once before serving, as
 * `npm start` does. A failed build only leaves `/` explaining how to build.
 */
function buildDashboardIfMissing(): void {
  const script = join(packageRoot, 'scripts', 'build-ui-if-stale.js');
  if (existsSync(join(packageRoot, 'src', 'ui', 'dist', 'index.html')) || !existsSync(script)) return;
  if (!existsSync(join(packageRoot, 'node_modules', 'vite'))) return; // an install without dev tools: nothing to build with
  spawnSync(process.execPath, [script], { cwd: packageRoot, stdio: ['ignore', 2, 2] }); // stdout holds the logs
}

/** `kairos serve`: one replica playing the chosen roles until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the API and dashboard, fire schedules and execute runs')
    .addOption(new Option('--port <port>', 'port to listen on (env PORT, default 7700)'))
    .addOption(new Option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)'))
    .addOption(new Option('--roles <roles>', 'comma-separated roles: api,scheduler,worker (env KAIROS_ROLES)'))
    .action(async (options: { port?: string; host?: string; roles?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(options.port !== undefined && { PORT: options.port }),
        ...(options.host !== undefined && { HOST: options.host }),
        ...(options.roles !== undefined && { KAIROS_ROLES: options.roles }),
      });
      // A person at a terminal only: test runs and services never build it behind each other's backs.
      if (config.roles.includes('api') && process.stdout.isTTY) buildDashboardIfMissing();
      // Loaded here, not at the top: every other command (and each CLI subprocess in tests)
      // starts without compiling and loading the whole server.
      // The start-up breakdown, in the "listening" line (docs/performance.md, "Embedded start").
      const startedAt = performance.now();
      const [{ Kairos }, { localModeMessage, resolveAuthMode }] = await Promise.all([
        import('../app.ts'),
        import('../auth/local-mode.ts'),
      ]);
      const loadedAt = performance.now();
      const kairos = await Kairos.create({ config });
      const createdAt = performance.now();
      const { logger } = kairos;
      // Decided before anything starts: a server others can reach never runs without keys.
      let authMode: Awaited<ReturnType<typeof resolveAuthMode>> | undefined;
      if (config.roles.includes('api')) {
        try {
          authMode = await resolveAuthMode(kairos.db, config.server.host);
        } catch (error) {
          await kairos.close();
          throw error;
        }
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: exiting now; runs in flight are recovered as their leases expire');
          logger.flush();
          process.exit(130);
        }
        stopping = true;
        const inFlight = kairos.runsInFlight;
        const graceS = Math.round(config.worker.shutdownGraceMs / 1000);
        logger.info(
          { signal, runs_in_flight: inFlight, grace_s: graceS },
          inFlight > 0
            ? `shutting down: waiting up to ${graceS} s for ${inFlight} run${inFlight === 1 ? '' : 's'} in flight to ` +
                'finish (KAIROS_SHUTDOWN_GRACE); press Ctrl-C again to exit now'
            : 'shutting down (press Ctrl-C again to exit now)',
        );
        kairos.close().then(
          () => {
            logger.info('stopped');
            logger.flush();
            process.exitCode = 0;
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exitCode = 1;
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      const roles = config.roles;
      if (roles.includes('api')) {
        // Bound before the scheduler and worker start: a port in use stops the start having fired nothing.
        const address = await kairos.listen().catch(async (error: unknown) => {
          await kairos.close();
          throw error;
        });
        await kairos.start();
        const url = `http://${address.address}:${address.port}`;
        const startupMs = {
          process: Math.round(performance.now()), // since the process started: Node, the CLI, the build check
          load_modules: Math.round(loadedAt - startedAt),
          open_database_and_services: Math.round(createdAt - loadedAt),
          listen_and_start: Math.round(performance.now() - createdAt),
        };
        logger.info(
          { url, database: kairos.db.kind, roles, replica: kairos.replicaId, startup_ms: startupMs },
          `Kairos listening on ${url} (${kairos.db.kind})`,
        );
        if (authMode === 'local') logger.warn({ auth: 'local' }, localModeMessage);
      } else {
        await kairos.start();
        logger.info(
          { database: kairos.db.kind, roles, replica: kairos.replicaId },
          'Kairos started without the api role',
        );
      }
    });
}
