/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6 "event stream interpretation").
 *
 * It sits beside every streamed response, so it is built for the hot path:
 * - Lines are found with Buffer#indexOf (native memchr), never byte by byte; a chunk without a
 *   line end is only stored.
 * - Bytes are kept until their line ends and only then decoded. CR and LF never occur inside
 *   a multi-byte UTF-8 sequence, so a complete line is always whole characters, however the
 *   upstream split its chunks. No streaming TextDecoder state is needed.
 * - Memory is bounded: a line longer than `maxLineBytes` is dropped (and the event it belongs
 *   to is discarded) instead of being buffered forever.
 */

/** One dispatched event. `event` is absent when the stream named no type ("message"). */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Called at every blank line, i.e. every event boundary: with the event it dispatched, or
 * `undefined` when the block carried no data (comments only, or an event dropped as too big).
 * `end` is the offset in the chunk being fed just past that blank line's terminator, which
 * lets a caller cut the raw bytes of each event out of the stream (see shared/tap.ts).
 */
export type SseVisitor = (event: SseEvent | undefined, end: number) => void;

export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DATA = Buffer.from('data');
const EVENT = Buffer.from('event');

export class SseParser {
  /** Bytes of the current, unterminated line (copies: the caller may reuse its chunks). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The current line grew past the bound: ignore bytes until its end. */
  private discardingLine = false;
  /** The previous chunk ended in CR: a LF opening the next chunk completes that CRLF. */
  private skipLeadingLF = false;
  private firstLine = true;
  private dataLines: string[] = [];
  private dataBytes = 0;
  private eventName: string | undefined;
  /** A line of the current event was dropped: dispatching the rest would be a lie. */
  private eventBroken = false;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feeds one chunk and returns the events it completed. */
  push(chunk: Buffer): SseEvent[] {
    const events: SseEvent[] = [];
    this.feed(chunk, (event) => {
      if (event) events.push(event);
    });
    return events;
  }

  /** Feeds one chunk, calling `visit` at each event boundary. */
  feed(chunk: Buffer, visit: SseVisitor): void {
    const len = chunk.length;
    if (len === 0) return;
    let pos = 0;
    if (this.skipLeadingLF) {
      this.skipLeadingLF = false;
      if (chunk[0] === LF) pos = 1;
    }
    let nextLF = chunk.indexOf(LF, pos);
    let nextCR = chunk.indexOf(CR, pos);
    while (pos < len) {
      // Re-search only the terminator we consumed; -1 means "none left in this chunk".
      if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
      const eol = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (eol === -1) {
        this.keepPartial(chunk, pos);
        return;
      }
      let next = eol + 1;
      if (chunk[eol] === CR) {
        if (next === len) this.skipLeadingLF = true;
        else if (chunk[next] === LF) next += 1;
      }
      this.completeLine(chunk, pos, eol, next, visit);
      pos = next;
    }
  }

  /**
   * Ends the stream. Strictly, an unterminated last event is discarded; a billing tap would
   * rather read a usage event whose final blank line was lost, so it is dispatched here.
   */
  end(visit: SseVisitor = () => {}): void {
    if (this.partialBytes > 0 && !this.discardingLine) {
      const line = Buffer.concat(this.partial, this.partialBytes);
      this.resetPartial();
      this.processLine(line, 0, line.length, 0, visit);
    }
    this.resetPartial();
    this.discardingLine = false;
    if (this.dataLines.length > 0) this.dispatch(0, visit);
  }

  private keepPartial(chunk: Buffer, from: number): void {
    if (this.discardingLine) return;
    const size = chunk.length - from;
    if (this.partialBytes + size > this.maxLineBytes) {
      this.dropLine();
      return;
    }
    this.partial.push(Buffer.from(chunk.subarray(from)));
    this.partialBytes += size;
  }

  private completeLine(chunk: Buffer, start: number, eol: number, end: number, visit: SseVisitor): void {
    if (this.discardingLine) {
      // The tail of an overlong line: its end is the only thing that matters.
      this.discardingLine = false;
      return;
    }
    if (this.partialBytes === 0) {
      if (eol - start > this.maxLineBytes) this.dropLine(false);
      else this.processLine(chunk, start, eol, end, visit);
      return;
    }
    if (this.partialBytes + (eol - start) > this.maxLineBytes) {
      this.dropLine(false);
      return;
    }
    this.partial.push(chunk.subarray(start, eol));
    const line = Buffer.concat(this.partial, this.partialBytes + (eol - start));
    this.resetPartial();
    this.processLine(line, 0, line.length, end, visit);
  }

  private processLine(buf: Buffer, start: number, eol: number, end: number, visit: SseVisitor): void {
    if (this.firstLine) {
      this.firstLine = false;
      // A UTF-8 byte order mark at the very start of the stream is not part of the first line.
      if (eol - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (start === eol) {
      this.dispatch(end, visit);
      return;
    }
    if (buf[start] === COLON) return; // comment (keep-alive)
    let colon = buf.indexOf(COLON, start);
    if (colon === -1 || colon > eol) colon = eol;
    let valueStart = colon + 1;
    if (valueStart < eol && buf[valueStart] === SPACE) valueStart += 1;
    valueStart = Math.min(valueStart, eol);
    if (sameBytes(buf, start, colon, DATA)) {
      this.dataBytes += eol - valueStart + 1;
      if (this.dataBytes > this.maxLineBytes) this.eventBroken = true;
      else this.dataLines.push(buf.toString('utf8', valueStart, eol));
    } else if (sameBytes(buf, start, colon, EVENT)) {
      this.eventName = buf.toString('utf8', valueStart, eol);
    }
    // `id` and `retry` only matter to reconnecting clients; unknown fields are ignored.
  }

  private dispatch(end: number, visit: SseVisitor): void {
    let event: SseEvent | undefined;
    if (!this.eventBroken && this.dataLines.length > 0) {
      const data = this.dataLines.length === 1 ? this.dataLines[0]! : this.dataLines.join('\n');
      event = this.eventName ? { event: this.eventName, data } : { data };
    }
    this.dataLines = [];
    this.dataBytes = 0;
    this.eventName = undefined;
    this.eventBroken = false;
    visit(event, end);
  }

  /** Drops the current line; `untilEnd` when its end has not been seen yet. */
  private dropLine(untilEnd = true): void {
    this.resetPartial();
    this.discardingLine = untilEnd;
    this.eventBroken = true;
  }

  private resetPartial(): void {
    if (this.partialBytes > 0 || this.partial.length > 0) {
      this.partial = [];
      this.partialBytes = 0;
    }
  }
}

function sameBytes(buf: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name[i]) return false;
  return true;
}
