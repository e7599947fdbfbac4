import { ConfigError } from '../config/load.js';
import { UsageError, type CommandContext } from './context.js';
import { COMMANDS, helpText, subcommandUsage } from './commands.js';

/** Exit codes a script can rely on (the sync commands add 3 and 4: src/sync/exit-codes.ts). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export async function main(argv: string[], context: Partial<CommandContext> = {}): Promise<number> {
  const ctx: CommandContext = {
    stdout: context.stdout ?? ((text) => process.stdout.write(text)),
    stderr: context.stderr ?? ((text) => process.stderr.write(text)),
    env: context.env ?? process.env,
    cwd: context.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const [topic, sub] = rest;
    const command = COMMANDS.find((c) => c.name === topic);
    // Help on a command (or subcommand) that does not exist is a mistake a script should
    // notice, not a success.
    if (topic !== undefined && !command) {
      ctx.stderr(`tollgate help: unknown command "${topic}"\n\n${helpText()}`);
      return EXIT.usage;
    }
    if (command && sub !== undefined && !subcommandUsage(command, sub)) {
      ctx.stderr(`tollgate help: "${topic}" has no subcommand "${sub}"\n\n${helpText(topic)}`);
      return EXIT.usage;
    }
    ctx.stdout(helpText(topic, sub));
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    ctx.stderr(`tollgate: unknown command "${name}"\n\n${helpText()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout(helpText(name, rest.find((arg) => !arg.startsWith('-'))));
    return EXIT.ok;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr(`tollgate ${name}: ${error.message}\n\n${helpText(name)}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      ctx.stderr(`tollgate: ${error.message}\n`);
      return EXIT.failure;
    }
    ctx.stderr(`tollgate ${name}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}
