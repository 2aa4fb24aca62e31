import { describe, expect, it } from 'vitest';
import { progressBar } from './pkg-progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, columns: 120, text: '', write: (chunk: string) => ((s.text += chunk), true) };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('progressBar', () => {
  it.each([
    { name: 'a terminal draws and clears the line', tty: true, drawn: true },
    { name: 'a pipe gets nothing', tty: false, drawn: false },
  ])('$name', ({ tty, drawn }) => {
    const stream = fakeStream(tty);
    const bar = progressBar('push x', stream);
    bar.onProgress?.({ bytesDone: 512, bytesTotal: 1024, blobsDone: 1, blobsTotal: 2, phase: 'blobs' });
    bar.onProgress?.({ bytesDone: 1024, bytesTotal: 1024, blobsDone: 2, blobsTotal: 2, phase: 'done' });
    bar.done();
    if (drawn) {
      expect(stream.text).toContain('push x [');
      expect(stream.text).toContain('1.0 KiB/1.0 KiB 2/2 blobs');
      expect(stream.text.endsWith('\r\u001b[K')).toBe(true);
    } else expect(stream.text).toBe('');
  });
});
