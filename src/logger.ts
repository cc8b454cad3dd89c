import { pino, type Logger } from 'pino';
import { humanLogStream } from './log-lines.ts';

export type { Logger };

/**
 * Logs on stdout: JSON lines, or lines a person reads (`humanLogLine`) when `format` is `pretty`
 * (the default on a terminal: KAIROS_LOG_FORMAT). Secrets are redacted wherever they might appear.
 */
export function createLogger(
  level: string,
  destination?: NodeJS.WritableStream,
  format: 'json' | 'pretty' = 'json',
): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: ['*.apiKey', '*.api_key', '*.authorization', '*.Authorization', '*.headers', '*.password', '*.token'],
        censor: '[redacted]',
      },
    },
    destination ?? (format === 'pretty' ? humanLogStream() : pino.destination({ fd: 1, sync: false })),
  );
}
