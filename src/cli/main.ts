import { Command, CommanderError } from 'commander';
import { isSlipwayError, packageVersion } from '../lib/index.js';
import { makeCtx, type Ctx } from './context.js';
import { CliError } from './errors.js';
import { makeOutput } from './output.js';
import * as appsCreate from './commands/apps/create.js';
import * as appsDestroy from './commands/apps/destroy.js';
import * as appsInfo from './commands/apps/info.js';
import * as appsList from './commands/apps/list.js';
import * as appsSettings from './commands/apps/settings.js';
import * as login from './commands/auth/login.js';
import * as configGet from './commands/config/get.js';
import * as configList from './commands/config/list.js';
import * as configSet from './commands/config/set.js';
import * as configUnset from './commands/config/unset.js';
import * as releasesList from './commands/releases/list.js';
import * as server from './commands/server/start.js';
import * as gitRemote from './commands/git/remote.js';
import * as deploy from './commands/builds/deploy.js';
import * as builds from './commands/builds/list.js';
import * as buildpacks from './commands/buildpacks/index.js';
import * as ps from './commands/ps/index.js';
import * as logs from './commands/logs/index.js';
import * as domains from './commands/domains/index.js';
import * as rollback from './commands/releases/rollback.js';
import * as runCmd from './commands/run/index.js';
import * as cronCmd from './commands/run/cron.js';
import * as stacksCmd from './commands/stacks/index.js';

export interface MainDeps {
  runServer: server.RunServer;
}

const COMMANDS: { register(p: Command, ctx: Ctx): void }[] = [
  appsList, appsCreate, appsInfo, appsDestroy, appsSettings,
  configList, configGet, configSet, configUnset,
  releasesList, rollback, gitRemote, deploy, builds, buildpacks, ps, runCmd, cronCmd, logs, domains, login, stacksCmd,
];

export function buildProgram(ctx: Ctx, deps: MainDeps): Command {
  const program = new Command('slipway')
    .description('Slipway: git push your apps to your own server')
    .version(packageVersion(), '-v, --version')
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText('after', '\nThe app comes from -a APP, else $SLIPWAY_APP, else the `slipway` git remote.\nExample:\n  $ slipway apps:create hello && slipway config:set -a hello GREETING=hi');
  server.register(program, deps.runServer);
  for (const c of COMMANDS) c.register(program, ctx);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** The `slipway` command. Errors: `error: ...` then `hint: ...`, exit 1; usage errors exit 2; Ctrl-C 130. */
export async function main(argv: string[], deps: MainDeps): Promise<void> {
  const out = makeOutput();
  const ctx = makeCtx(out);
  const program = buildProgram(ctx, deps);
  if (argv.length <= 2) {
    program.outputHelp();
    return;
  }
  process.once('SIGINT', () => process.exit(130));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exit(report(err, out.err));
  }
}

function report(err: unknown, say: (line: string) => void): number {
  if (err instanceof CommanderError) {
    // commander has already printed its own message (or the help text)
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof CliError || isSlipwayError(err)) {
    say(`error: ${err.message}`);
    if (err.hint) say(`hint: ${err.hint}`);
    return err instanceof CliError ? err.exitCode : 1;
  }
  say(`error: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
