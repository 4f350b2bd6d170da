/**
 * The node's system log: what slogf() appends and sloginfo reads (QNX's slogger keeps it in a fixed-size
 * ring buffer in memory; when it is full the oldest entries are overwritten). Entries carry the virtual time
 * of their point on the writing thread's timeline, the major code (_SLOG_SETCODE's major: which subsystem)
 * and the severity (_SLOG_SHUTDOWN 0 … _SLOG_DEBUG2 7, <sys/slog.h>).
 *
 * QNX sizes slogger's buffer in kilobytes (`slogger -s`); here it is counted in entries (SLOG_CAPACITY), a
 * qnxemu simplification: entries are structured values, not packed records.
 */
import type { SlogEntry } from './api';

/** Entries kept before the oldest is dropped. */
export const SLOG_CAPACITY = 4096;

/** <sys/slog.h> severities. */
export const _SLOG_SHUTDOWN = 0;
export const _SLOG_CRITICAL = 1;
export const _SLOG_ERROR = 2;
export const _SLOG_WARNING = 3;
export const _SLOG_NOTICE = 4;
export const _SLOG_INFO = 5;
export const _SLOG_DEBUG1 = 6;
export const _SLOG_DEBUG2 = 7;

export class Slog {
  private readonly ring: SlogEntry[] = [];
  /** Index of the oldest entry in `ring` once it has wrapped. */
  private head = 0;
  /** Entries overwritten because the buffer was full. */
  dropped = 0;

  constructor(readonly capacity = SLOG_CAPACITY) {}

  append(e: SlogEntry): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(e);
      return;
    }
    this.ring[this.head] = e;
    this.head = (this.head + 1) % this.capacity;
    this.dropped++;
  }

  /** Oldest first. */
  entries(): SlogEntry[] {
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)].map((e) => ({ ...e }));
  }

  get length(): number {
    return this.ring.length;
  }
}

/** slogf's checks: a severity outside 0–7 or a negative major code is EINVAL (QNX returns -1, errno EINVAL). */
export function validSlog(major: number, severity: number): boolean {
  return Number.isInteger(major) && major >= 0 && Number.isInteger(severity) && severity >= _SLOG_SHUTDOWN && severity <= _SLOG_DEBUG2;
}
