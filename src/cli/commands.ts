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

export function helpText(name?: string, sub?: string): string {
  const command = name ? COMMANDS.find((c) => c.name === name) : undefined;
  if (command) {
    const usage = sub ? command.usage.split('\n').filter((line) => line.includes(` ${sub}`) || line.startsWith('  ')).join('\n') : command.usage;
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
    'Exit codes: 0 success, 1 failure, 2 wrong usage.',
    '',
  ].join('\n');
}
