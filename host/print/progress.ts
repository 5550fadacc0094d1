// A progress line on stderr, only when stderr is a terminal: piped or logged runs stay clean.

import type { TextStream } from "../output-files.ts";

export class Progress {
  private readonly enabled: boolean;

  constructor(private readonly stream: TextStream) {
    this.enabled = stream.isTTY === true;
  }

  update(text: string): void {
    if (this.enabled) this.stream.write(`\r\x1b[K${text}`);
  }

  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}
