// End-to-end test of the web map in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser is downloaded).
// Usage: node tests/e2e.mjs BASE_URL [SCREENSHOT.png]
// Opens the map, moves the slider, checks that the occupied layer changed
// (data and pixels), searches Pokrovsk and checks its panel (when the server
// has the places API), and saves a screenshot.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = process.argv[2];
const shot = process.argv[3] ?? "screenshot.png";
if (!base) {
  console.error("usage: node tests/e2e.mjs BASE_URL [SCREENSHOT.png]");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const profile = mkdtempSync(join(tmpdir(), "frontline-e2e-"));
const failures = [];
let passed = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (ok) passed += 1;
  else failures.push(what);
};

// A fresh profile directory for every run (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    // WebGL without a GPU: Chromium's software renderer.
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
  ],
});
try {
  const page = await browser.newPage();
  const external = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["127.0.0.1", "localhost"].includes(u.hostname) && u.protocol.startsWith("http")) external.push(r.url());
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  const idle = async () => {
    await page.waitForFunction(() => !document.body.dataset.loading, null, { timeout: 30000 });
    await mapIdle();
  };
  const mapIdle = () => page.evaluate(() => new Promise((resolve) => {
    const m = window.__frontline.map;
    if (m.loaded() && !m.isMoving() && m.areTilesLoaded()) setTimeout(resolve, 200);
    else m.once("idle", () => resolve());
  }));
  const pixels = () => page.evaluate(() => window.__frontline.map.getCanvas().toDataURL("image/png"));
  const occupiedFeatures = () => page.evaluate(() =>
    JSON.stringify(window.__frontline.map.querySourceFeatures("snapshot").filter((f) => f.properties.class === "occupied").map((f) => f.geometry.coordinates).flat(3).length));

  // Start on the first date, zoomed on the Donbas where the line moved most.
  await page.goto(`${base}/?z=7&lat=48.2&lon=37.6`, { waitUntil: "load" });
  await page.waitForSelector("body[data-occupied-signature]", { timeout: 30000 });
  await page.focus("#slider");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.getElementById("slider").value === "0");
  await page.waitForFunction(() => document.body.dataset.shownDate === window.__frontline.state.dates[0], null, { timeout: 30000 });
  await idle();
  const sig1 = await page.evaluate(() => document.body.dataset.occupiedSignature);
  const px1 = await pixels();
  const feat1 = await occupiedFeatures();
  check(sig1 && !sig1.endsWith(":0"), `occupied layer shown on the first date (${sig1})`);

  // Move the slider to the last date, as a user would with the keyboard.
  await page.keyboard.press("End");
  await page.waitForFunction((s) => document.body.dataset.occupiedSignature !== s, sig1, { timeout: 30000 });
  await idle();
  const sig2 = await page.evaluate(() => document.body.dataset.occupiedSignature);
  const px2 = await pixels();
  const feat2 = await occupiedFeatures();
  const url = page.url();
  check(sig2 !== sig1, `occupied layer data changed: ${sig1} -> ${sig2}`);
  check(px1 !== px2, "map pixels changed after moving the slider");
  check(feat1 !== feat2, `rendered occupied geometry changed (${feat1} -> ${feat2} coordinates)`);
  check(url.includes(`date=${sig2.split(":")[0]}`), `URL holds the date (${url})`);
  const label = await page.textContent("#date-label");
  check(label.startsWith(sig2.split(":")[0]), `date label follows the slider (${label})`);
  await page.waitForSelector("body[data-area-loaded]", { timeout: 60000 });
  const km2 = await page.textContent("#occupied-km2");
  check(/^[\d,]+\.\d km²$/.test(km2), `area figure shown (${km2})`);

  // Search a town when the server has the places API.
  const status = await page.evaluate(() => fetch("/api/status").then((r) => r.json()));
  if (status.features.places) {
    await page.fill("#search", "Pokrovsk");
    const item = page.locator("#results li", { hasText: "Pokrovsk" }).first();
    await item.waitFor({ timeout: 30000 });
    await item.click();
    await page.waitForSelector("#place-panel:not([hidden])", { timeout: 30000 });
    const name = await page.textContent("#place-name");
    check(name.includes("Pokrovsk"), `place panel opened (${name})`);
    const rows = await page.locator("#place-timeline li").count();
    check(rows > 0, `status timeline has ${rows} entries`);
    check(page.url().includes("place="), "URL holds the selected town");
    if (status.features.corridor) {
      await page.waitForSelector("#corridor-box:not([hidden])", { timeout: 120000 });
      const paths = await page.locator("#corridor-chart path").count();
      check(paths === 1, "corridor chart drawn");
    }
    await idle();
  } else {
    console.log("SKIP search Pokrovsk: this server has no places API (features.places is false)");
  }

  // A shared URL restores the same view.
  const shared = page.url();
  const page2 = await browser.newPage();
  await page2.goto(shared, { waitUntil: "load" });
  await page2.waitForSelector("body[data-occupied-signature]", { timeout: 30000 });
  const sig3 = await page2.evaluate(() => document.body.dataset.occupiedSignature);
  check(sig3.split(":")[0] === sig2.split(":")[0], `shared URL opens the same date (${sig3})`);
  await page2.close();

  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  check(external.length === 0, `no request left the machine (${external.slice(0, 3).join(", ")})`);
  check(errors.length === 0, `no page errors (${errors.slice(0, 3).join("; ")})`);
} catch (e) {
  failures.push(String(e));
  console.error(e);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
// The plain closing line CI runners read.
console.log(`e2e: ${passed} passed, ${failures.length} failed`);
if (failures.length) process.exit(1);
