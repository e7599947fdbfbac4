/**
 * Interactive confirmation for changes above the threshold and for the AI call's cost: asked
 * only when stdin is a terminal. In a script (no TTY) the answer is "no", so an unattended run
 * never applies a big change nobody saw; it exits 3 and says to re-run with --yes.
 */
import { createInterface } from 'node:readline/promises';

export type Confirm = (question: string) => Promise<boolean>;

export const terminalConfirm: Confirm = async (question) => {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
};
