// `node --import tsx bench/screenshot.ts REPORT.html OUT.png [SELECTOR]`: an HTML report as a reader's browser
// shows it, for the README: the top of the page, or the top of the element SELECTOR names ("#history").
// Refuses a report whose page logged an error.

import { findChromium, openReport } from "./browser.ts";

const WIDTH = 1280;
const HEIGHT = 1700;

async function main([html, png, selector]: string[]): Promise<number> {
  if (!html || !png) {
    console.error("usage: bench/screenshot.ts REPORT.html OUT.png [SELECTOR]");
    return 2;
  }
  const chromium = findChromium();
  if (!chromium) {
    console.error("screenshot: no chromium on the PATH (apt-get install chromium)");
    return 1;
  }
  const report = await openReport(chromium, html, { width: WIDTH, height: HEIGHT });
  try {
    if (report.problems.length) {
      console.error(`screenshot: ${html}: ${report.problems.join("; ")}`);
      return 1;
    }
    const path = png as `${string}.png`;
    if (selector === undefined) {
      await report.page.screenshot({ path });
      return 0;
    }
    const box = await report.page.$eval(selector, (element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x: x + window.scrollX, y: y + window.scrollY, width, height };
    });
    await report.page.screenshot({
      path,
      captureBeyondViewport: true,
      clip: { ...box, height: Math.min(box.height, HEIGHT) },
    });
    return 0;
  } finally {
    await report.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
