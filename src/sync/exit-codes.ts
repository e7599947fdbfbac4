/**
 * Exit codes of the sync commands (models sync, pricing sync, pricing migrate), for scripts.
 * 0-2 are the CLI's usual ones; 3 and 4 are sync's own, so a cron job can tell "needs a
 * human" and "ran, but a source was missing" from a plain failure.
 */
export const SYNC_EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** A change above the threshold, or the AI call's cost, was not confirmed: nothing was changed. */
  refused: 3,
  /** A source was unavailable (or unusable); the run completed with what the others gave. */
  partial: 4,
} as const;

/** The exit codes for help texts, after "Exit codes: ". */
export const SYNC_EXIT_HELP =
  '0 done, 1 failure (e.g. invalid prices), 2 wrong usage, 3 needs confirmation (--yes) or refused:\n' +
  'nothing changed, 4 a source was unavailable: the run completed with what the other sources gave.';
