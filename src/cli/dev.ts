import { Option, type Command } from 'commander';
import { startDevEnvironment } from '../embedded/dev-environment.js';
import { createLogger } from '../observability/logger.js';
import { CliError } from './errors.js';
import { untilSignal } from './signals.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .summary('run OpenBao + the broker locally with demo clients (the embedded default)')
    .option('--port <port>', 'broker port (0 = any free port)', '8080')
    .option('--state-dir <dir>', 'where config, credentials and logs are written', '.identity-broker')
    .option('--log-level <level>', 'broker log level', 'info')
    .addOption(
      new Option('--mysql-url <url>', 'MySQL/MariaDB for per-user database credentials, mysql://user[:password]@host[:port] (default: 127.0.0.1:3306 as root, if it answers)')
        .env('IDENTITY_BROKER_MYSQL_URL'),
    )
    .action(async (opts: { port: string; stateDir: string; logLevel: string; mysqlUrl?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got "${opts.port}"`);
      const progress = (line: string) => console.error(`[dev] ${line}`);
      const env = await startDevEnvironment({
        port,
        stateDir: opts.stateDir,
        logger: createLogger({ level: opts.logLevel }),
        progress,
        mysqlUrl: opts.mysqlUrl,
      }).catch((error: Error & { code?: string }) => {
        if (error.code === 'EADDRINUSE') throw new CliError(`port ${port} is in use; pick another with --port`);
        throw error;
      });
      progress(`broker ready at ${env.brokerUrl}  (try: curl ${env.brokerUrl}/readyz)`);
      progress(`API keys and the OpenBao root token: ${env.credentialsFile} (mode 0600)`);
      progress('example: KEY=$(node -p "require(\'./.identity-broker/dev-credentials.json\').clients[\'chatbot-app-dev\'].api_key")');
      progress('Ctrl-C stops the broker and OpenBao');
      const signal = await untilSignal();
      progress(`${signal}: stopping`);
      await env.stop();
    });
}
