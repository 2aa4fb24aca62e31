/**
 * Streams a watch as newline-delimited JSON events over a chunked response. Ends on client
 * disconnect, on `timeoutSeconds`, or after an ERROR event (e.g. 410 Expired for a too-old
 * resourceVersion, which clients answer with a fresh list).
 */
import type { ServerResponse } from 'node:http';
import { toApiError } from '../apimachinery/index.js';
import type { RawWatchEvent } from '../registry/index.js';

export interface WatchStreamOptions {
  events: (signal: AbortSignal) => AsyncIterable<RawWatchEvent>;
  /** Turns an event's object JSON into what the client asked for (e.g. a Table). */
  transform?: (event: RawWatchEvent) => string;
  timeoutMs?: number;
  contentType: string;
  onEnd?: (err?: unknown) => void;
}

export async function streamWatch(res: ServerResponse, options: WatchStreamOptions): Promise<void> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  res.on('close', abort);
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(abort, options.timeoutMs);
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    res.writeHead(200, {
      'Content-Type': options.contentType,
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
  };
  let failure: unknown;
  try {
    const events = options.events(controller.signal)[Symbol.asyncIterator]();
    // Headers go out at once so clients know the watch is established even with no events.
    start();
    for (;;) {
      const next = await events.next();
      if (next.done || controller.signal.aborted) {
        await events.return?.();
        break;
      }
      const event = next.value;
      const object = options.transform ? options.transform(event) : event.json;
      res.write(`{"type":"${event.type}","object":${object}}\n`);
    }
  } catch (err) {
    failure = err;
    if (!res.destroyed) {
      start();
      res.write(`${JSON.stringify({ type: 'ERROR', object: toApiError(err).toStatus() })}\n`);
    }
  } finally {
    if (timer) clearTimeout(timer);
    res.off('close', abort);
    if (!res.destroyed) res.end();
    options.onEnd?.(failure);
  }
}
