/**
 * Severities shared by the drivers' option and probe messages (slogf, <sys/slog.h>; driver-api.ts IoPkt.log).
 * An unknown option is reported and ignored — an expected error, _SLOG_WARNING (the QNX slogf table: "expected
 * error") —, a bad option value makes the option unusable and usually the init fail: _SLOG_ERROR. Probe notes
 * explain a failed init when no device was found (_SLOG_ERROR, as NetBSD's aprint_error of a failed attach);
 * with the `verbose` option and devices found they are a trace of the probe (_SLOG_INFO).
 */
import { _SLOG_ERROR, _SLOG_INFO, _SLOG_WARNING, type SlogSeverity } from '../io-pkt/driver-api';

/** The severity of an option complaint from a driver's options parser (`unknown option 'x' ignored`, `bad value for x`). */
export function optionSeverity(message: string): SlogSeverity {
  return /^unknown option .* ignored$/.test(message) ? _SLOG_WARNING : _SLOG_ERROR;
}

/** The severity of probe notes: errors when the probe found nothing (the init fails), else information. */
export function probeNoteSeverity(found: number): SlogSeverity {
  return found === 0 ? _SLOG_ERROR : _SLOG_INFO;
}
