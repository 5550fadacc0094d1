// A progress line on stderr, only when stderr is a terminal: piped or logged runs stay clean.

export class Progress {
  private readonly enabled = process.stderr.isTTY === true;

  update(text: string): void {
    if (this.enabled) process.stderr.write(`\r\x1b[K${text}`);
  }

  clear(): void {
    if (this.enabled) process.stderr.write("\r\x1b[K");
  }
}
