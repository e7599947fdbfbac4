import type { Command } from './context.js';
import { budgetsCommand } from './budgets-command.js';
import { orgCommand, projectCommand, teamCommand, userCommand } from './hierarchy-commands.js';
import { keysCommand } from './keys-command.js';
import { modelsCommand } from './models-command.js';
import { pricingCommand } from './pricing-command.js';
import { reconcileCommand } from './reconcile-command.js';
import { usageCommand } from './usage-command.js';
import { migrateCommand, simulateCommand, startCommand } from './server-commands.js';

/** Every CLI command; `tollgate help` lists them in this order. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  migrateCommand,
  keysCommand,
  orgCommand,
  projectCommand,
  teamCommand,
  userCommand,
  budgetsCommand,
  pricingCommand,
  modelsCommand,
  usageCommand,
  reconcileCommand,
  simulateCommand,
];

/**
 * One subcommand's part of a command's usage text: its synopsis and its description (each an
 * entry that starts two spaces in, continued by deeper-indented lines), with the lines that
 * are not entries (headings, exit codes). Undefined when the command has no such subcommand.
 */
export function subcommandUsage(command: Command, sub: string): string | undefined {
  const entries: string[][] = [];
  for (const line of command.usage.split('\n')) {
    if (/^ {2}\S/.test(line) || !line.startsWith(' ') || entries.length === 0) entries.push([line]);
    else entries.at(-1)!.push(line);
  }
  const isEntry = (first: string): boolean => /^ {2}\S/.test(first);
  const names = (first: string): boolean => first.startsWith(`  tollgate ${command.name} ${sub} `) || first === `  tollgate ${command.name} ${sub}` || first.startsWith(`  ${sub} `);
  if (!entries.some((entry) => isEntry(entry[0]!) && names(entry[0]!))) return undefined;
  return entries.filter((entry) => !isEntry(entry[0]!) || names(entry[0]!)).flat().join('\n').replace(/\n{3,}/g, '\n\n');
}

/** The general help, a command's, or one subcommand's (its whole command's when it has none by that name). */
export function helpText(name?: string, sub?: string): string {
  const command = name ? COMMANDS.find((c) => c.name === name) : undefined;
  if (command) {
    const usage = (sub && subcommandUsage(command, sub)) || command.usage;
    return `tollgate ${command.name}: ${command.summary}\n\n${usage.trimEnd()}\n`;
  }
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: tollgate <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "tollgate help <command>" for a command\'s options.',
    'Configuration: gateway.config.yaml, or the file named by TOLLGATE_CONFIG.',
    'Exit codes: 0 success, 1 failure, 2 wrong usage. "pricing sync" and "pricing migrate" add 3',
    '(needs --yes or refused: nothing changed); they and "models sync" add 4 (a source was',
    'unavailable: the rest was applied). See "tollgate help pricing" and "tollgate help models".',
    '',
  ].join('\n');
}
