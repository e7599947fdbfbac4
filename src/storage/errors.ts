// Recognising database errors the same way on both storage kinds. @prisma/adapter-pg maps
// SQLSTATE 23505 to a UniqueConstraintViolation, which the client raises as P2002. The PGlite
// adapter (pglite-prisma-adapter 0.6.1) reports every PostgreSQL error as kind `postgres` and
// the client rethrows it as a bare DriverAdapterError, so callers would otherwise only catch
// duplicates on one of the two.

const UNIQUE_VIOLATION = '23505';

type Loose = Record<string, unknown> | null | undefined;

function asObject(value: unknown): Loose {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** True when `cause` is a driver adapter error payload describing a unique violation. */
function isUniqueCause(cause: Loose): boolean {
  if (!cause) return false;
  if (cause.kind === 'UniqueConstraintViolation') return true;
  if (cause.kind === 'postgres' && cause.code === UNIQUE_VIOLATION) return true;
  return cause.originalCode === UNIQUE_VIOLATION;
}

/**
 * True for a unique-constraint violation from either storage kind: Prisma's P2002, the PGlite
 * adapter's `postgres` error with SQLSTATE 23505, or a raw `pg` error with code 23505 (from
 * code that talks to PostgreSQL directly).
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = asObject(err);
  if (!e) return false;
  if (e.code === 'P2002' || e.code === UNIQUE_VIOLATION) return true;
  if (isUniqueCause(asObject(e.cause))) return true;
  // PrismaClientKnownRequestError keeps the adapter's error under meta.driverAdapterError.
  const adapterError = asObject(asObject(e.meta)?.driverAdapterError);
  return isUniqueCause(asObject(adapterError?.cause));
}
