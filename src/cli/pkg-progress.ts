/**
 * A one-line progress bar for image transfers on stderr, drawn only when stderr is a terminal
 * (never in pipes, logs or `-o json` consumers' captures), at most ten times a second.
 */
import type { CopyProgress } from '../oci/index.js';

export interface ProgressBar {
  onProgress?: (progress: CopyProgress) => void;
  /** Clears the line. */
  done(): void;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { done: () => undefined };
  let last = 0;
  let drawn = false;
  const started = Date.now();
  const draw = (p: CopyProgress, force = false): void => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const width = 24;
    const ratio = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
    const filled = Math.round(ratio * width);
    const rate = p.bytesDone / Math.max(0.001, (now - started) / 1000);
    const line =
      p.phase === 'manifests'
        ? `${label}: reading manifests…`
        : `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${size(p.bytesDone)}/${size(p.bytesTotal)} ${p.blobsDone}/${p.blobsTotal} blobs ${size(rate)}/s`;
    const columns = stream.columns || 100;
    stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\u001b[K`);
    drawn = true;
  };
  return {
    onProgress: (p) => draw(p, p.phase === 'done'),
    done: () => {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

/** Runs `work` with a progress bar, clearing it however `work` ends. */
export async function withProgress<T>(
  label: string,
  work: (onProgress: ((p: CopyProgress) => void) | undefined) => Promise<T>,
): Promise<T> {
  const bar = progressBar(label);
  try {
    return await work(bar.onProgress);
  } finally {
    bar.done();
  }
}
