import type { LogEntry } from '../entry.js';

/**
 * One entry as an RFC 5424 syslog message, the way Heroku's drains write it:
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, with the drain's
 * token as HOSTNAME (so a receiver can tell drains apart), the source as
 * APP-NAME (`app`, `router`, `slipway` for builds and platform events) and the
 * instance (`web.1`) as PROCID. Facility user (1); severity info (6), or
 * error (3) for a router error line.
 */
export function syslogMessage(e: LogEntry, token: string): string {
  const severity = e.source === 'router' && e.line.startsWith('at=error') ? 3 : 6;
  const pri = 1 * 8 + severity;
  const appName = e.source === 'app' || e.source === 'router' ? e.source : 'slipway';
  const procid = e.ps ?? (e.source === 'router' ? 'router' : e.source);
  return `<${pri}>1 ${e.time} ${token} ${appName} ${procid} - - ${e.line}`;
}

/** RFC 6587 octet counting: `LEN MSG`, LEN in bytes of UTF-8; no delimiter can break a frame. */
export function octetFrame(msg: string): string {
  return `${Buffer.byteLength(msg, 'utf8')} ${msg}`;
}
