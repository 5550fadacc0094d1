// `node --import tsx bench/screenshot.ts REPORT.html OUT.png`: the top of an HTML report as a reader's browser
// shows it, for the README. Refuses a report whose page logged an error.

import { findChromium, openReport } from "./browser.ts";

async function main([html, png]: string[]): Promise<number> {
  if (!html || !png) {
    console.error("usage: bench/screenshot.ts REPORT.html OUT.png");
    return 2;
  }
  const chromium = findChromium();
  if (!chromium) {
    console.error("screenshot: no chromium on the PATH (apt-get install chromium)");
    return 1;
  }
  const report = await openReport(chromium, html, { width: 1280, height: 1700 });
  try {
    if (report.problems.length) {
      console.error(`screenshot: ${html}: ${report.problems.join("; ")}`);
      return 1;
    }
    await report.page.screenshot({ path: png as `${string}.png` });
    return 0;
  } finally {
    await report.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
