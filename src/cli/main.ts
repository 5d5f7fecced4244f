import { Command, CommanderError } from './commander.js';
import { makeCtx, type Ctx } from './context.js';
import { CliError } from './errors.js';
import { makeOutput } from './output.js';
import * as server from './commands/server/start.js';

export interface MainDeps {
  runServer: server.RunServer;
}

type CommandModule = { register(p: Command, ctx: Ctx): void };

/**
 * Which module registers which commands. A run loads only the module of the
 * command it names (commander, its options and help come with it); help, an
 * unknown name or a global option loads them all. `commands.test.ts` checks
 * this list against what each module registers.
 */
export const COMMANDS: [names: string[], load: () => Promise<CommandModule>][] = [
  [['apps'], () => import('./commands/apps/list.js')],
  [['apps:create'], () => import('./commands/apps/create.js')],
  [['apps:info'], () => import('./commands/apps/info.js')],
  [['apps:destroy'], () => import('./commands/apps/destroy.js')],
  [['apps:settings', 'apps:settings:set', 'apps:settings:unset'], () => import('./commands/apps/settings.js')],
  [['config'], () => import('./commands/config/list.js')],
  [['config:get'], () => import('./commands/config/get.js')],
  [['config:set'], () => import('./commands/config/set.js')],
  [['config:unset'], () => import('./commands/config/unset.js')],
  [['releases'], () => import('./commands/releases/list.js')],
  [['rollback'], () => import('./commands/releases/rollback.js')],
  [['git:remote', 'git:clone', 'git:credential'], () => import('./commands/git/remote.js')],
  [['deploy'], () => import('./commands/builds/deploy.js')],
  [['builds', 'builds:output', 'builds:cache:clear'], () => import('./commands/builds/list.js')],
  [['buildpacks', 'buildpacks:set', 'buildpacks:add', 'buildpacks:clear'], () => import('./commands/buildpacks/index.js')],
  [['ps', 'ps:scale', 'ps:autoscale', 'ps:resize', 'ps:restart'], () => import('./commands/ps/index.js')],
  [['run', 'runs'], () => import('./commands/run/index.js')],
  [['cron', 'cron:run'], () => import('./commands/run/cron.js')],
  [['logs'], () => import('./commands/logs/index.js')],
  [['drains', 'drains:add', 'drains:remove'], () => import('./commands/drains/index.js')],
  [['domains', 'domains:add', 'domains:remove', 'open'], () => import('./commands/domains/index.js')],
  [['login', 'logout'], () => import('./commands/auth/login.js')],
  [['certs', 'certs:add', 'certs:remove'], () => import('./commands/domains/certs.js')],
  [['users', 'users:add', 'users:remove'], () => import('./commands/users/users.js')],
  [['tokens', 'tokens:create', 'tokens:revoke'], () => import('./commands/users/tokens.js')],
  [['access', 'access:add', 'access:remove', 'audit'], () => import('./commands/users/access.js')],
  [['stacks', 'stacks:build', 'stacks:sbom'], () => import('./commands/stacks/index.js')],
];

/** The modules a run needs: the one that registers the named command, else all (for help and suggestions). */
export function modulesFor(argv: string[]): (() => Promise<CommandModule>)[] {
  const name = argv[2];
  const one = name === undefined ? undefined : COMMANDS.find(([names]) => names.includes(name));
  return one ? [one[1]] : COMMANDS.map(([, load]) => load);
}

export async function buildProgram(ctx: Ctx, deps: MainDeps, argv: string[] = []): Promise<Command> {
  const loads = modulesFor(argv);
  const program = new Command('slipway').description('Slipway: git push your apps to your own server');
  // -v is a program option, so only a run that names no command can ask for it; lib/ stays unloaded otherwise.
  if (loads.length !== 1) program.version((await import('../lib/index.js')).packageVersion(), '-v, --version');
  program
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText('after', '\nThe app comes from -a APP, else $SLIPWAY_APP, else the `slipway` git remote.\nExample:\n  $ slipway apps:create hello && slipway config:set -a hello GREETING=hi');
  server.register(program, deps.runServer);
  const modules = argv[2] === 'server' ? [] : await Promise.all(loads.map((load) => load()));
  for (const m of modules) m.register(program, ctx);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** The `slipway` command. Errors: `error: ...` then `hint: ...`, exit 1; usage errors exit 2; Ctrl-C 130. */
export async function main(argv: string[], deps: MainDeps): Promise<void> {
  const out = makeOutput();
  const ctx = makeCtx(out);
  const program = await buildProgram(ctx, deps, argv);
  if (argv.length <= 2) {
    program.outputHelp();
    return;
  }
  process.once('SIGINT', () => process.exit(130));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exit(await report(err, out.err));
  }
}

async function report(err: unknown, say: (line: string) => void): Promise<number> {
  if (err instanceof CommanderError) {
    // commander has already printed its own message (or the help text)
    return err.exitCode === 0 ? 0 : 2;
  }
  const { isSlipwayError } = await import('../lib/index.js');
  if (err instanceof CliError || isSlipwayError(err)) {
    say(`error: ${err.message}`);
    if (err.hint) say(`hint: ${err.hint}`);
    return err instanceof CliError ? err.exitCode : 1;
  }
  say(`error: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
