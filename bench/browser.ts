// The HTML report in a real browser: Debian's chromium, driven by puppeteer-core (which downloads no browser of
// its own). The browser test loads a report through it, and `npm run results:screenshot` photographs one.

import { accessSync, constants } from "node:fs";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { commandPath } from "../host/system.ts";

/** The browser to drive: $DAXBENCH_CHROMIUM when it is set (undefined when it names no program), or the first
 *  of Debian's names on the PATH; undefined when there is none. */
export function findChromium(): string | undefined {
  const named = process.env.DAXBENCH_CHROMIUM;
  if (named) {
    try {
      accessSync(named, constants.X_OK);
      return named;
    } catch {
      return undefined;
    }
  }
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const path = commandPath(name);
    if (path) return path;
  }
  return undefined;
}

export interface OpenReport {
  page: Page;
  /** Console errors, uncaught page errors, and any request that left the file (the report must open offline). */
  problems: string[];
  close(): Promise<void>;
}

/** Opens an HTML report and waits until every chart has been drawn or has failed. */
export async function openReport(
  executablePath: string,
  path: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenReport> {
  const browser: Browser = await puppeteer.launch({
    executablePath,
    headless: true,
    // Root (CI here) has no sandbox to give up; /dev/shm is small in containers.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport(viewport);
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()}`);
    });
    page.on("pageerror", (error) =>
      problems.push(`page error: ${error instanceof Error ? error.message : String(error)}`),
    );
    page.on("request", (request) => {
      if (!request.url().startsWith("file:") && !request.url().startsWith("data:"))
        problems.push(`request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll<HTMLElement>("figure.chart")).every((figure) => figure.dataset.drawn),
      { timeout: 30_000 },
    );
    return { page, problems, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
