import { Command, Option } from 'commander';
import { loadConfig } from '../config.ts';

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
      // Loaded here, not at the top: every other command (and each CLI subprocess in tests)
      // starts without compiling and loading the whole server.
      const [{ Kairos }, { localModeMessage, resolveAuthMode }] = await Promise.all([
        import('../app.ts'),
        import('../auth/local-mode.ts'),
      ]);
      const kairos = await Kairos.create({ config });
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
          logger.warn({ signal }, 'second signal: exiting now');
          process.exit(130);
        }
        stopping = true;
        logger.info({ signal }, 'shutting down');
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
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      await kairos.start();
      const roles = config.roles;
      if (roles.includes('api')) {
        const address = await kairos.listen();
        logger.info(
          {
            url: `http://${address.address}:${address.port}`,
            database: kairos.db.kind,
            roles,
            replica: kairos.replicaId,
          },
          `Kairos listening on http://${address.address}:${address.port} (${kairos.db.kind})`,
        );
        if (authMode === 'local') logger.warn({ auth: 'local' }, localModeMessage);
      } else {
        logger.info(
          { database: kairos.db.kind, roles, replica: kairos.replicaId },
          'Kairos started without the api role',
        );
      }
    });
}
