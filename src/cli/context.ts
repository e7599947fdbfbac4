import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage lines and options, printed by `tollgate help <name>`. */
  usage: string;
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** A mistake in how the command was called: exit code 2 and the command's help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
