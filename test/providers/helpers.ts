import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StreamTap } from '../../src/providers/types.js';

/** Copies of /work/shared/reference/wire (provenance in wire/README.md), kept in the repo so tests are hermetic. */
export const WIRE_DIR = fileURLToPath(new URL('./fixtures/wire/', import.meta.url));
export const OWN_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function wireFiles(): string[] {
  return readdirSync(WIRE_DIR).filter((name) => name.endsWith('.json') || name.endsWith('.sse'));
}

export function wireBytes(name: string): Buffer {
  return readFileSync(WIRE_DIR + name);
}

export function wireJson(name: string): unknown {
  return JSON.parse(readFileSync(WIRE_DIR + name, 'utf8'));
}

export function ownBytes(name: string): Buffer {
  return readFileSync(OWN_DIR + name);
}

/** The ways a stream can be chunked that every tap must survive. */
export function wholeChunks(bytes: Buffer): Buffer[] {
  return [Buffer.from(bytes)];
}

export function byteChunks(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(Buffer.from(bytes.subarray(i, i + 1)));
  return chunks;
}

/** Two chunks split at offset i (one of them empty at 0 and at length). */
export function splitChunks(bytes: Buffer, i: number): Buffer[] {
  return [Buffer.from(bytes.subarray(0, i)), Buffer.from(bytes.subarray(i))];
}

/** Runs a tap over chunks; returns the bytes the client would receive. */
export function runTap(tap: StreamTap, chunks: Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(tap.push(chunk));
  out.push(tap.end());
  return Buffer.concat(out);
}

/** Rewrites every line end as the given one, to test the other framings. */
export function withLineEnds(bytes: Buffer, eol: '\n' | '\r\n' | '\r'): Buffer {
  return Buffer.from(bytes.toString('utf8').replace(/\r\n|\r|\n/g, eol), 'utf8');
}
