import type { Command } from 'commander';

/** What the daemon needs; injected by the entry point so the CLI does not import the daemon. */
export type RunServer = (flags: { home?: string; apiListen?: string; routerListen?: string; domain?: string; buildTimeout?: string; keepReleases?: string; cronTimeScale?: string; autoscaleTick?: string; metricsInterval?: string; runtimeCache?: string; stackCache?: string }) => Promise<void>;

export function register(program: Command, runServer: RunServer): void {
  program
    .command('server')
    .description('run the Slipway daemon (API, git, builds, router) in the foreground')
    .option('--home <dir>', 'state directory [$SLIPWAY_HOME] (default ~/.slipway)')
    .option('--api-listen <host:port>', 'API and git address [$SLIPWAY_API_LISTEN] (default 127.0.0.1:7070; port 0 = any free port)')
    .option('--router-listen <host:port>', 'router address [$SLIPWAY_ROUTER_LISTEN] (default 127.0.0.1:8080)')
    .option('--router-tls-listen <host:port>', 'HTTPS on the router: HAProxy terminates TLS, SNI picks the certificate [$SLIPWAY_ROUTER_TLS_LISTEN] (default: off)')
    .option('--domain <domain>', 'apps are served at APP.DOMAIN [$SLIPWAY_DOMAIN] (default localhost)')
    .option('--build-timeout <seconds>', 'builds are killed past this [$SLIPWAY_BUILD_TIMEOUT] (default 900)')
    .option('--keep-releases <n>', 'unpacked releases kept per app for fast rollback; slugs are always kept [$SLIPWAY_KEEP_RELEASES] (default 3)')
    .option('--runtime-cache <dir>', 'shared cache of Node releases apps ask for in engines.node (may be shared by several servers) [$SLIPWAY_RUNTIME_CACHE] (default HOME/runtimes)')
    .option('--autoscale-tick <ms>', 'how often the autoscaler reads the router\'s figures [$SLIPWAY_AUTOSCALE_TICK] (default 1000)')
    .option('--metrics-interval <ms>', 'how often metrics sample every app [$SLIPWAY_METRICS_INTERVAL] (default 10000)')
    .option('--stack-cache <dir>', 'machine-wide stack cache shared by every home [$SLIPWAY_STACK_CACHE] (default /var/cache/slipway/stacks as root)')
    .addOption(program.createOption('--cron-time-scale <n>', 'tests only: cron schedules run n times faster').hideHelp())
    .addHelpText('after', '\nExample:\n  $ slipway server --home /var/lib/slipway --api-listen 0.0.0.0:7070 --domain apps.example.com')
    .action(async (opts: Parameters<RunServer>[0]) => {
      await runServer(opts);
    });
}
