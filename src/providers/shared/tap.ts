import type { Usage } from '../../core/usage.js';
import { SseParser, type SseEvent } from '../sse.js';
import type { StreamTap } from '../types.js';

const EMPTY = Buffer.alloc(0);
const CR = 0x0d;
const LF = 0x0a;

/**
 * While stripping, the bytes of an unfinished event are held back. The only event ever removed
 * is a small usage chunk, so an event that grows past this size cannot be it: its bytes are
 * released at once and it is never removed (bounding memory and added latency).
 */
const MAX_HELD_BYTES = 1024 * 1024;

/** What a provider's tap does with each event; `drop` is honoured only when stripping. */
export interface EventReader {
  read(event: SseEvent): { drop: boolean } | void;
  /**
   * While stripping, rewrites a kept event's bytes (e.g. removes a field the injection added
   * to every chunk). Returns the same Buffer when there is nothing to change.
   */
  rewrite?(bytes: Buffer): Buffer;
  usage(): Usage | undefined;
  responseModel(): string | undefined;
}

/**
 * A StreamTap over SSE. Without stripping, push() parses beside the stream and hands back the
 * very Buffer it got. With stripping, only whole events are released, so that a removed event
 * vanishes byte-exactly and every other byte reaches the client unchanged and in order.
 */
export class SseTap implements StreamTap {
  private readonly parser = new SseParser();
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The current event outgrew MAX_HELD_BYTES: pass it through, never drop it. */
  private passing = false;
  /**
   * A boundary fell on a CR at the very end of a chunk: a LF opening the next chunk completes
   * that CRLF and belongs to the event before it, kept or removed with it.
   */
  private crlfTail: 'keep' | 'drop' | undefined;

  constructor(
    private readonly reader: EventReader,
    private readonly strip: boolean,
  ) {}

  push(chunk: Buffer): Buffer {
    if (!this.strip) {
      this.parser.feed(chunk, (event) => {
        if (event) this.reader.read(event);
      });
      return chunk;
    }
    return this.pushStripping(chunk);
  }

  end(): Buffer {
    let dropLast = false;
    this.parser.end((event) => {
      if (event) dropLast = this.reader.read(event)?.drop === true && !this.passing;
    });
    let rest = dropLast ? EMPTY : this.releaseHeld();
    if (this.strip && !dropLast && rest.length > 0 && this.reader.rewrite) rest = this.reader.rewrite(rest);
    this.held = [];
    this.heldBytes = 0;
    return rest;
  }

  usage(): Usage | undefined {
    return this.reader.usage();
  }

  responseModel(): string | undefined {
    return this.reader.responseModel();
  }

  private pushStripping(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    const out: Buffer[] = [];
    let from = 0;
    if (this.crlfTail !== undefined) {
      if (chunk[0] === LF) {
        if (this.crlfTail === 'keep') out.push(chunk.subarray(0, 1));
        from = 1;
      }
      this.crlfTail = undefined;
    }
    const skipped = from;
    let dropped = false;
    this.parser.feed(chunk, (event, end) => {
      const drop = event !== undefined && this.reader.read(event)?.drop === true && !this.passing;
      if (drop) {
        dropped = true;
        this.held = [];
        this.heldBytes = 0;
      } else if (this.reader.rewrite && !this.passing) {
        const parts = this.heldBytes > 0 ? [this.releaseHeld()] : [];
        if (end > from) parts.push(chunk.subarray(from, end));
        const whole = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        if (whole.length > 0) out.push(this.reader.rewrite(whole));
      } else {
        if (this.heldBytes > 0) out.push(this.releaseHeld());
        if (end > from) out.push(chunk.subarray(from, end));
      }
      if (end === chunk.length && chunk[end - 1] === CR) this.crlfTail = drop ? 'drop' : 'keep';
      this.passing = false;
      from = end;
    });
    if (from < chunk.length) this.hold(chunk, from, out);
    // Nothing held back and nothing removed: the chunk goes out as it came, without a copy.
    // "Unchanged" means a view of this very chunk's bytes: equal length alone is not enough,
    // since held bytes released in front of a rewritten event can add up to what it removed.
    if (!dropped && skipped === 0 && out.length === 1 && sameView(out[0]!, chunk)) return chunk;
    if (out.length === 0) return EMPTY;
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Keeps the unfinished event's bytes, or lets them through once it is too big to be removed. */
  private hold(chunk: Buffer, from: number, out: Buffer[]): void {
    const tail = chunk.subarray(from);
    if (this.passing || this.heldBytes + tail.length > MAX_HELD_BYTES) {
      if (this.heldBytes > 0) out.push(this.releaseHeld());
      out.push(tail);
      this.passing = true;
      return;
    }
    this.held.push(Buffer.from(tail)); // a copy: the caller may reuse its chunk
    this.heldBytes += tail.length;
  }

  private releaseHeld(): Buffer {
    const bytes = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return bytes;
  }
}

/** True when `a` is a view of exactly the bytes of `b` (same memory, offset and length). */
function sameView(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

/** For streams this adapter cannot read: bytes pass, usage stays unknown. */
export function blindTap(): StreamTap {
  return {
    push: (chunk) => chunk,
    end: () => EMPTY,
    usage: () => undefined,
    responseModel: () => undefined,
  };
}
