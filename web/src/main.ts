// frontline's web map: the layers of the chosen date, a slider over every
// snapshot date, a legend that doubles as layer switches, town names drawn
// offline, what is at a clicked point, comparison with another date and
// another source, the audit's flags, downloads, two languages.
// Every figure shown comes from the server (the engine computes it); this
// file only draws. The URL holds date, view, source, language and town.
import maplibregl from "maplibre-gl";
import type { GeoJSONSource, StyleSpecification, MapMouseEvent } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { WORDS, pickLang } from "./i18n";
import type { Lang } from "./i18n";
// The API's response types, generated from the server's OpenAPI document (npm run api-types).
import type { components } from "./api-types";
type Api = components["schemas"];

performance.mark("fl:script"); // the bundle is parsed and runs (the e2e test prints the marks)
type FC = GeoJSON.FeatureCollection;
type Source = Api["Source"];
type AreaRow = Api["AreaRow"];
type Status = Api["StatusBody"];
interface Finding { date: string; kind: string; detail: string; previous?: string | null }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const EMPTY: FC = { type: "FeatureCollection", features: [] };

// ---- language ----
const params = new URLSearchParams(location.search);
const lang: Lang = pickLang(params.get("lang"), navigator.languages ?? [navigator.language]);
const W = WORDS[lang];
const locale = lang === "uk" ? "uk-UA" : "en-GB";
const fmt = (x: number, d = 1) => x.toLocaleString(locale, { minimumFractionDigits: d, maximumFractionDigits: d });
const fmtDate = (d: string) => d; // ISO dates read the same in both languages
/** A source's name in the page's language (the server's label for a source the page does not know). */
const sourceName = (s: Source) => W.sourceNames[s.source] ?? s.label ?? s.source;

function applyWords() {
  document.documentElement.lang = lang;
  document.title = W.title;
  const w = W as unknown as Record<string, string>;
  document.querySelectorAll<HTMLElement>("[data-t]").forEach((e) => { e.textContent = w[e.dataset.t as string]; });
  document.querySelectorAll<HTMLElement>("[data-t-aria]").forEach((e) => e.setAttribute("aria-label", w[e.dataset.tAria as string]));
  document.querySelectorAll<HTMLInputElement>("[data-t-placeholder]").forEach((e) => { e.placeholder = w[e.dataset.tPlaceholder as string]; });
  const other: Lang = lang === "uk" ? "en" : "uk";
  const a = $("lang") as HTMLAnchorElement;
  a.lang = other;
  a.addEventListener("click", (e) => { e.preventDefault(); writeUrl(other); location.reload(); });
}
applyWords();

// Answers the head's script (boot.ts) asked for before this bundle ran: each taken once.
interface Boot { answers: Map<string, Promise<Response>>; settled: Promise<void>; first: Promise<{ key: string; fc: FC } | null> }
const boot = (window as unknown as { __early?: Boot }).__early;
async function takeEarly(url: string): Promise<Response | undefined> {
  if (!boot) return undefined;
  await boot.settled;
  const p = boot.answers.get(url);
  boot.answers.delete(url);
  return p?.catch(() => undefined);
}
async function getJSON<T>(url: string, signal?: AbortSignal): Promise<T> {
  const r = (await takeEarly(url)) ?? (await fetch(url, { signal }));
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).error ?? msg; } catch { /* not JSON */ }
    throw new Error(msg);
  }
  return r.json() as Promise<T>;
}

// The first requests leave at once, not after the map's style has loaded.
const early = {
  status: getJSON<Status>("/api/status"),
  sources: getJSON<Source[]>("/api/sources"),
  dates: null as null | Promise<{ source: string; dates: string[] }>,
};
const defaultSource = (list: Source[]) => (list.find((s) => s.source === "deepstate-daily") ?? list[0])?.source ?? "";
early.dates = early.sources.then((list) => {
  const s = params.get("source") || defaultSource(list);
  return getJSON<{ dates: string[] }>(`/api/dates?source=${encodeURIComponent(s)}`).then((d) => ({ source: s, dates: d.dates }));
});

// ---- state, mirrored in the URL ----
const state = {
  source: params.get("source") ?? "",
  sourceB: params.get("vs") ?? "",
  sources: [] as Source[],
  dates: [] as string[],
  index: 0,
  compareDate: params.get("since") ?? "", // "" = the previous map
  place: params.get("place") ?? "",
  playing: false,
  features: {} as Record<string, boolean>,
  generation: 0, // bumped on every source switch: late answers for the old source are dropped
  hidden: new Set((params.get("hide") ?? "").split(",").filter(Boolean)),
};
const src = (k = "source") => (state.source ? `&${k}=${encodeURIComponent(state.source)}` : "");

function writeUrl(langOverride?: Lang) {
  const p = new URLSearchParams();
  if (state.source) p.set("source", state.source);
  if (state.dates.length) p.set("date", state.dates[state.index]);
  if (state.compareDate) p.set("since", state.compareDate);
  if (state.sourceB) p.set("vs", state.sourceB);
  const c = map.getCenter();
  p.set("z", map.getZoom().toFixed(2));
  p.set("lat", c.lat.toFixed(4));
  p.set("lon", c.lng.toFixed(4));
  if (state.place) p.set("place", state.place);
  if (state.hidden.size) p.set("hide", [...state.hidden].join(","));
  p.set("lang", langOverride ?? lang);
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

// ---- the map: base layers from the server, no tiles, no glyph server ----
const style: StyleSpecification = {
  version: 8,
  sources: {
    // The base map once the occupied layer is drawn (afterFirstDraw): MapLibre
    // parses every GeoJSON source in its worker one after another, and each
    // tile loaded draws a frame (hundreds of milliseconds with software WebGL).
    countries: { type: "geojson", data: EMPTY },
    land: { type: "geojson", data: EMPTY },
    oblasts: { type: "geojson", data: EMPTY },
    rivers: { type: "geojson", data: EMPTY },
    snapshot: { type: "geojson", data: EMPTY },
    changes: { type: "geojson", data: EMPTY },
    diff: { type: "geojson", data: EMPTY },
    place: { type: "geojson", data: EMPTY },
    front: { type: "geojson", data: EMPTY },
  },
  layers: [
    { id: "sea", type: "background", paint: { "background-color": "#dfe6ec" } },
    { id: "countries", type: "fill", source: "countries", paint: { "fill-color": "#eeebe4", "fill-outline-color": "#b9b3a8" } },
    { id: "land", type: "fill", source: "land", paint: { "fill-color": "#fdfcf8" } },
    { id: "oblast-fill", type: "fill", source: "oblasts", paint: { "fill-color": "#000", "fill-opacity": 0 } },
    { id: "rivers", type: "line", source: "rivers", paint: { "line-color": "#9cc0de", "line-width": 1.2 } },
    { id: "liberated", type: "fill", source: "snapshot", filter: ["==", ["get", "class"], "liberated"], paint: { "fill-color": "#2e7d32", "fill-opacity": 0.18 } },
    { id: "gray", type: "fill", source: "snapshot", filter: ["==", ["get", "class"], "gray"], paint: { "fill-color": "#7d7d7d", "fill-opacity": 0.5 } },
    { id: "occupied", type: "fill", source: "snapshot", filter: ["==", ["get", "class"], "occupied"], paint: { "fill-color": "#c62828", "fill-opacity": 0.4 } },
    { id: "occupied-edge", type: "line", source: "snapshot", filter: ["==", ["get", "class"], "occupied"], paint: { "line-color": "#8e0000", "line-width": 0.8 } },
    { id: "gained", type: "fill", source: "changes", filter: ["==", ["get", "kind"], "gained"], paint: { "fill-color": "#6a1b9a", "fill-opacity": 0.75 } },
    { id: "lost", type: "fill", source: "changes", filter: ["==", ["get", "kind"], "lost"], paint: { "fill-color": "#00897b", "fill-opacity": 0.75 } },
    { id: "a_only", type: "fill", source: "diff", filter: ["==", ["get", "kind"], "a_only"], paint: { "fill-color": "#ef6c00", "fill-opacity": 0.7 } },
    { id: "b_only", type: "fill", source: "diff", filter: ["==", ["get", "kind"], "b_only"], paint: { "fill-color": "#1565c0", "fill-opacity": 0.7 } },
    { id: "front", type: "line", source: "front", paint: { "line-color": "#111", "line-width": 1.8, "line-dasharray": [3, 1.5] } },
    { id: "oblasts", type: "line", source: "oblasts", paint: { "line-color": "#6d6d6d", "line-width": 0.7 } },
    { id: "place", type: "circle", source: "place", paint: { "circle-radius": 6, "circle-color": "#1565c0", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
  ],
};

// The first view's occupied layer goes into the map's style when the
// head's script has it already (it usually has: the bundle takes longer to
// parse than the layer to arrive), so that it is drawn with the map's first
// frames; each frame costs hundreds of milliseconds with software WebGL,
// and waiting for the style, the sources and the dates to set it took
// several. A short wait for it (400 ms at most), not more: else it is set
// as usual, once the style has loaded.
const firstView = boot ? await Promise.race([boot.first.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), 400))]) : null;
if (firstView) style.sources.snapshot = { type: "geojson", data: firstView.fc };
const map = new maplibregl.Map({
  container: "map",
  style,
  center: [Number(params.get("lon") ?? 33.5), Number(params.get("lat") ?? 48.6)],
  zoom: Number(params.get("z") ?? 5.3),
  minZoom: 3,
  maxZoom: 13,
  attributionControl: false,
  canvasContextAttributes: { preserveDrawingBuffer: true }, // the PNG download and the e2e test read pixels
});
performance.mark("fl:map-created");
const ATTRIBUTION = "DeepStateMap / ISW via frontline · OpenStreetMap · GeoNames · Natural Earth";
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
map.addControl(new maplibregl.AttributionControl({ customAttribution: ATTRIBUTION, compact: false }));
let popup: maplibregl.Popup | null = null; // the click's answer
const timings = { redraws: [] as number[], occupiedDrawnMs: 0 };
const last = { change: null as unknown };
(window as unknown as { __frontline: unknown }).__frontline = { map, state, timings, last, areaLabels: () => areaLabels };

// ---- layers: the legend is the list of switches ----
interface LayerDef { key: string; words: string; swatch: string; ids: string[]; line?: boolean; when?: () => boolean }
const LAYERS: LayerDef[] = [
  { key: "occupied", words: W.lOccupied, swatch: "#c62828", ids: ["occupied", "occupied-edge"] },
  { key: "gray", words: W.lGray, swatch: "#9e9e9e", ids: ["gray"], when: () => hasClass("gray") },
  { key: "liberated", words: W.lLiberated, swatch: "#8bc34a", ids: ["liberated"], when: () => hasClass("liberated") },
  { key: "front", words: W.lFront, swatch: "#111", ids: ["front"], line: true, when: () => !!state.features.front },
  { key: "gained", words: W.lGained, swatch: "#6a1b9a", ids: ["gained"] },
  { key: "lost", words: W.lLost, swatch: "#00897b", ids: ["lost"] },
  { key: "a_only", words: W.lAOnly, swatch: "#ef6c00", ids: ["a_only"], when: () => !!state.sourceB },
  { key: "b_only", words: W.lBOnly, swatch: "#1565c0", ids: ["b_only"], when: () => !!state.sourceB },
  { key: "names", words: W.lTowns, swatch: "", ids: [] },
];
const hasClass = (c: string) => (state.sources.find((s) => s.source === state.source)?.classes ?? []).includes(c);
const visible = (key: string) => !state.hidden.has(key);

function drawLayerList() {
  const ul = $("layers");
  ul.innerHTML = "";
  const legend = $("legend");
  legend.innerHTML = "";
  for (const l of LAYERS) {
    if (l.when && !l.when()) continue;
    const li = document.createElement("li");
    const id = `layer-${l.key}`;
    const sw = l.swatch ? `<span class="swatch${l.line ? " line" : ""}" style="--c:${l.swatch}"></span>` : `<span class="swatch text">Aa</span>`;
    li.innerHTML = `<input type="checkbox" id="${id}" ${visible(l.key) ? "checked" : ""}><label for="${id}">${sw}${l.words}</label>`;
    li.querySelector("input")?.addEventListener("change", (e) => {
      const on = (e.target as HTMLInputElement).checked;
      if (on) state.hidden.delete(l.key); else state.hidden.add(l.key);
      applyVisibility();
      drawLayerList();
      writeUrl();
      (document.getElementById(id) as HTMLInputElement | null)?.focus();
    });
    ul.appendChild(li);
    if (visible(l.key)) {
      const row = document.createElement("div");
      row.innerHTML = `${sw}<span>${l.words}</span>`;
      legend.appendChild(row);
    }
  }
  const d = state.dates[state.index];
  const s = state.sources.find((x) => x.source === state.source);
  const head = document.createElement("div");
  head.className = "legend-head";
  head.textContent = `${s ? sourceName(s) : state.source} · ${d ?? ""}`;
  legend.prepend(head);
}
function applyVisibility() {
  if (!map.isStyleLoaded()) return;
  // The occupied layer's edge waits for the first draw: its line shader is
  // one more to compile (in software, headless) before the layer shows.
  const on = (key: string, id: string) => visible(key) && (id !== "occupied-edge" || deferredLoaded);
  for (const l of LAYERS) for (const id of l.ids) map.setLayoutProperty(id, "visibility", on(l.key, id) ? "visible" : "none");
  $("labels").hidden = !visible("names");
}

// ---- snapshots: fetched per (date, zoom bucket), cached, prefetched ----
const zoomBucket = () => Math.max(3, Math.min(13, Math.floor(map.getZoom())));
const cache = new Map<string, Promise<FC>>();
if (firstView) cache.set(firstView.key, Promise.resolve(firstView.fc));
function fetchSnapshot(date: string, zoom: number, source = state.source): Promise<FC> {
  const key = `${source}|${date}|${zoom}`;
  let p = cache.get(key);
  if (!p) {
    p = getJSON<FC>(`/api/snapshot/${date}?zoom=${zoom}&source=${encodeURIComponent(source)}`);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
    if (cache.size > 1500) cache.delete(cache.keys().next().value as string);
  }
  return p;
}
// The first map's layer is asked for before the base map has loaded.
void early.dates?.then((d) => {
  const want = params.get("date");
  const i = want ? d.dates.findLastIndex((x) => x <= want) : d.dates.length - 1;
  if (d.dates[Math.max(0, i)]) void fetchSnapshot(d.dates[Math.max(0, i)], zoomBucket(), d.source);
}).catch(() => { /* start() reports it */ });
function prefetch(center: number) {
  const z = zoomBucket();
  for (const d of [1, 2, 3, -1, -2]) {
    const i = center + d;
    if (i >= 0 && i < state.dates.length) void fetchSnapshot(state.dates[i], z);
  }
}

// Set when the first view's layer is in the map's style already.
let shownKey = firstView?.key ?? "";
let pending = 0; // snapshot requests in flight (the e2e test waits for none)
let stepStarted = 0;
// The layer in the style from the start is watched from the start; show() need not set it again.
let firstShown = !!firstView;
if (firstView) watchDraw(0);
/** Measured: from the slider's input (or navigation start) to the first
 * frame drawn with the new layer (printed by the e2e test). */
function watchDraw(started: number) {
  let ready = false;
  const onData = (ev: { sourceId?: string }) => { if (ev.sourceId === "snapshot" && map.isSourceLoaded("snapshot")) ready = true; };
  const onRender = () => {
    if (!ready) return;
    if (!timings.occupiedDrawnMs) performance.mark("fl:occupied-drawn");
    map.off("data", onData); map.off("render", onRender);
    if (started) { timings.redraws.push(performance.now() - started); stepStarted = 0; }
    if (!timings.occupiedDrawnMs) { timings.occupiedDrawnMs = performance.now(); document.body.dataset.occupiedDrawn = "1"; afterFirstDraw(); }
  };
  map.on("data", onData);
  map.on("render", onRender);
}
async function show(index: number) {
  const next = Math.max(0, Math.min(state.dates.length - 1, index));
  // A popup answers for one date: it goes when the date does.
  if (next !== state.index) { popup?.remove(); popup = null; }
  state.index = next;
  const date = state.dates[state.index];
  ($("slider") as HTMLInputElement).value = String(state.index);
  ($("slider") as HTMLInputElement).setAttribute("aria-valuetext", date ?? "");
  $("date-label").textContent = date ? fmtDate(date) : "–";
  writeUrl();
  updateFigures();
  drawChartCursor();
  fillCompareDates();
  drawLayerList();
  if (!date) return;
  const z = zoomBucket();
  const key = `${state.source}|${date}|${z}`;
  const gen = state.generation;
  pending += 1;
  document.body.dataset.loading = "1";
  try {
    const fc = await fetchSnapshot(date, z);
    if (!timings.occupiedDrawnMs) performance.mark("fl:snapshot-fetched");
    if (state.dates[state.index] !== date || gen !== state.generation) return; // the slider or source moved on
    const inStyle = firstShown && key === firstView?.key;
    firstShown = false;
    if (key !== shownKey || inStyle) {
      if (!inStyle) {
        (map.getSource("snapshot") as GeoJSONSource).setData(fc);
        if (!timings.occupiedDrawnMs) performance.mark("fl:setdata");
        watchDraw(stepStarted);
      }
      shownKey = key;
      const vertices = fc.features.reduce((n, f) => n + JSON.stringify(f.geometry).length, 0);
      document.body.dataset.shownDate = date;
      document.body.dataset.occupiedSignature = `${date}:${vertices}`;
    }
  } catch (e) {
    $("date-label").textContent = `${date} (${(e as Error).message})`;
  } finally {
    pending -= 1;
    if (pending === 0) delete document.body.dataset.loading;
  }
  prefetch(state.index);
  if (!state.playing) scheduleRest();
  else (map.getSource("front") as GeoJSONSource).setData(EMPTY);
}

// ---- figures and the area chart (values from /api/area) ----
let areaRows: AreaRow[] = [];
let areaByDate = new Map<string, AreaRow>();
let findings: Finding[] = [];
function updateFigures() {
  const d = state.dates[state.index];
  const r = areaByDate.get(d);
  $("occupied-km2").textContent = r ? `${fmt(r.occupied_km2)} km²` : "–";
  $("occupied-pct").textContent = r ? `${fmt(r.occupied_pct, 2)} %` : "–";
  $("gray-row").hidden = !(r && r.gray_km2 !== null);
  if (r && r.gray_km2 !== null) $("gray-km2").textContent = `${fmt(r.gray_km2)} km²`;
  const f = findings.filter((x) => x.date === d && x.kind !== "confirmed_change");
  $("flag-row").hidden = f.length === 0;
  $("flag-text").textContent = f.map((x) => `⚠ ${x.detail}`).join("; ");
  document.body.dataset.flagged = f.length ? "1" : "";
}

const CW = 320, CH = 130, PAD = 4, AXIS = 14;
let xOf = (_d: string) => 0;
function drawChart() {
  const svg = $("chart");
  if (!areaRows.length) { svg.innerHTML = ""; return; }
  const t = (d: string) => Date.parse(d);
  const t0 = t(areaRows[0].date), t1 = t(areaRows[areaRows.length - 1].date);
  const vals = areaRows.flatMap((r) => [r.occupied_km2, r.occupied_or_gray_km2 ?? r.occupied_km2]);
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const H = CH - AXIS;
  xOf = (d: string) => PAD + ((t(d) - t0) / Math.max(1, t1 - t0)) * (CW - 2 * PAD);
  const yOf = (v: number) => H - PAD - ((v - lo) / Math.max(1e-9, hi - lo)) * (H - 2 * PAD);
  const path = (f: (r: AreaRow) => number | null) =>
    areaRows.filter((r) => f(r) !== null).map((r, i) => `${i ? "L" : "M"}${xOf(r.date).toFixed(1)},${yOf(f(r) as number).toFixed(1)}`).join("");
  const upper = areaRows.some((r) => r.occupied_or_gray_km2 !== null)
    ? `<path d="${path((r) => r.occupied_or_gray_km2)}" fill="none" stroke="#7d7d7d" stroke-width="1"/>` : "";
  // The date axis: one tick per year (per month when the span is short).
  const y0 = new Date(t0).getUTCFullYear(), y1 = new Date(t1).getUTCFullYear();
  let ticks = "";
  const span = t1 - t0;
  if (span > 300 * 864e5) {
    for (let y = y0 + 1; y <= y1; y++) {
      const x = xOf(`${y}-01-01`);
      ticks += `<line x1="${x}" x2="${x}" y1="${H}" y2="${H + 3}" stroke="#555"/><text x="${x}" y="${CH - 2}" font-size="9" text-anchor="middle" fill="#444">${y}</text>`;
    }
  } else {
    const d = new Date(t0);
    for (let m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)); m.getTime() <= t1; m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))) {
      const iso = m.toISOString().slice(0, 7);
      const x = xOf(`${iso}-01`);
      ticks += `<line x1="${x}" x2="${x}" y1="${H}" y2="${H + 3}" stroke="#555"/><text x="${x}" y="${CH - 2}" font-size="8" text-anchor="middle" fill="#444">${iso}</text>`;
    }
  }
  // The audit's flags: an orange mark above each flagged date.
  const flags = findings.filter((f) => f.kind === "implausible_jump" || f.kind === "layer_change")
    .map((f) => `<g class="flag"><title>${W.flag} ${f.date}: ${f.detail}</title><path d="M${xOf(f.date).toFixed(1)},${PAD + 8} l-4,-7 h8 z" fill="#ef6c00"/></g>`).join("");
  svg.innerHTML = `${upper}<path d="${path((r) => r.occupied_km2)}" fill="none" stroke="#c62828" stroke-width="1.5"/>
    <line x1="0" x2="${CW}" y1="${H}" y2="${H}" stroke="#999"/>${ticks}${flags}
    <text x="6" y="12" font-size="9" fill="#444">${fmt(hi, 0)} km²</text>
    <text x="6" y="${H - 6}" font-size="9" fill="#444">${fmt(lo, 0)} km²</text>
    <line id="cursor" x1="0" x2="0" y1="0" y2="${H}" stroke="#1565c0" stroke-width="1"/>`;
  drawChartCursor();
}
function drawChartCursor() {
  const c = document.getElementById("cursor");
  const d = state.dates[state.index];
  if (c && d) { c.setAttribute("x1", String(xOf(d))); c.setAttribute("x2", String(xOf(d))); }
}
$("chart").addEventListener("click", (ev) => {
  if (!areaRows.length) return;
  const box = $("chart").getBoundingClientRect();
  const x = ((ev.clientX - box.left) / box.width) * CW;
  let best = 0;
  state.dates.forEach((d, i) => { if (Math.abs(xOf(d) - x) < Math.abs(xOf(state.dates[best]) - x)) best = i; });
  void show(best);
});

// ---- comparison with another date: default the previous map ----
function compareIndex(): number {
  if (!state.compareDate) return state.index - 1;
  const i = state.dates.indexOf(state.compareDate);
  return i >= 0 && i !== state.index ? i : state.index - 1;
}
function fillCompareDates() {
  const sel = $("compare-date") as HTMLSelectElement;
  const prev = state.dates[state.index - 1];
  const opts: [string, string][] = [["", prev ? `${W.previousMap} (${prev})` : W.previousMap]];
  for (let i = state.dates.length - 1; i >= 0; i--) if (i !== state.index) opts.push([state.dates[i], state.dates[i]]);
  const sig = opts.map((o) => o.join("=")).join("|");
  if (sel.dataset.sig !== sig) {
    sel.innerHTML = "";
    for (const [v, t] of opts) sel.add(new Option(t, v));
    sel.dataset.sig = sig;
  }
  sel.value = state.compareDate;
  const ci = compareIndex();
  $("since-date").textContent = ci >= 0 ? state.dates[ci] : "–";
}
$("compare-date").addEventListener("change", (e) => {
  state.compareDate = (e.target as HTMLSelectElement).value;
  fillCompareDates();
  writeUrl();
  scheduleRest();
});

// Once the slider rests: gained and lost since the compared date (figures
// and layer), the frontline, and the second source's difference.
let restTimer = 0;
function scheduleRest() {
  clearTimeout(restTimer);
  $("change").textContent = "…";
  restTimer = window.setTimeout(() => {
    const i = state.index;
    void loadFront(i);
    void loadChange(i);
    void loadDiff(i);
    if (state.place) void refreshPlaceNow();
  }, 250);
}

async function loadChange(i: number) {
  const gen = state.generation;
  const ci = compareIndex();
  const chg = map.getSource("changes") as GeoJSONSource;
  if (ci < 0) { $("change").textContent = W.firstMap; chg.setData(EMPTY); return; }
  const [a, b] = ci < i ? [state.dates[ci], state.dates[i]] : [state.dates[i], state.dates[ci]];
  try {
    const fc = await getJSON<FC & { gained_km2: number; lost_km2: number; net_km2: number }>(`/api/gained-lost?from=${a}&to=${b}&zoom=${zoomBucket()}${src()}`);
    if (state.index !== i || gen !== state.generation) return;
    chg.setData(fc);
    last.change = fc;
    // A sign on a zero reads as a change: only signed when there is one.
    const signed = (v: number, sign: string) => (v > 0 ? sign : "") + fmt(v);
    $("change").textContent = `${signed(fc.gained_km2, "+")} / ${signed(fc.lost_km2, "−")} km²`;
    $("change").title = W.gainedLost;
    document.body.dataset.changeShown = `${a}..${b}`;
  } catch (e) { $("change").textContent = `– (${(e as Error).message})`; }
}

// The frontline (drawn dashed) and its length.
async function loadFront(i: number) {
  if (!state.features.front) return;
  const gen = state.generation;
  try {
    const fc = await getJSON<FC & { length_km: number }>(`/api/front/${state.dates[i]}?zoom=${zoomBucket()}${src()}`);
    if (state.index !== i || gen !== state.generation) return;
    (map.getSource("front") as GeoJSONSource).setData(fc);
    $("front-km").textContent = `${fmt(fc.length_km)} km`;
  } catch { $("front-km").textContent = "–"; }
}

// ---- a second source: where the two disagree ----
async function loadDiff(i: number) {
  const box = $("diff-figures");
  const diff = map.getSource("diff") as GeoJSONSource;
  if (!state.sourceB || state.sourceB === state.source) { box.hidden = true; diff.setData(EMPTY); return; }
  const gen = state.generation;
  box.hidden = false;
  box.innerHTML = `<div>${W.loading}</div>`;
  try {
    const fc = await getJSON<FC & { comparison: Record<string, number | string> }>(
      `/api/compare/geometry?a=${encodeURIComponent(state.source)}&b=${encodeURIComponent(state.sourceB)}&date=${state.dates[i]}&zoom=${zoomBucket()}`);
    if (state.index !== i || gen !== state.generation) return;
    diff.setData(fc);
    const c = fc.comparison;
    const km = (k: string) => `${fmt(c[k] as number)} km²`;
    box.innerHTML = `<div><dt><span class="swatch" style="--c:#ef6c00"></span>${W.aOnly}</dt><dd id="a-only-km2">${km("a_only_km2")}</dd></div>
      <div><dt><span class="swatch" style="--c:#1565c0"></span>${W.bOnly}</dt><dd id="b-only-km2">${km("b_only_km2")}</dd></div>
      <div><dt>${W.both}</dt><dd>${km("both_km2")}</dd></div>
      <p class="note">${W.nearestMaps(`${c.a_date}`, `${c.b_date}`)}</p>`;
    document.body.dataset.diffShown = `${state.source}|${state.sourceB}`;
  } catch (e) { box.textContent = (e as Error).message; }
}

// ---- slider and play ----
$("slider").addEventListener("input", (e) => { stepStarted = performance.now(); void show(Number((e.target as HTMLInputElement).value)); });
async function play() {
  while (state.playing && state.index < state.dates.length - 1) {
    const started = performance.now();
    await show(state.index + 1);
    await new Promise((r) => setTimeout(r, Math.max(0, 120 - (performance.now() - started))));
  }
  state.playing = false;
  scheduleRest();
  $("play").textContent = "▶";
  $("play").setAttribute("aria-label", W.play);
}
$("play").addEventListener("click", () => {
  state.playing = !state.playing;
  $("play").textContent = state.playing ? "❚❚" : "▶";
  $("play").setAttribute("aria-label", state.playing ? W.pause : W.play);
  if (state.playing) {
    if (state.index >= state.dates.length - 1) state.index = 0;
    void play();
  }
});
// Arrows belong to whatever has focus: the slider steps one date (the
// browser does it), the map pans (MapLibre does it). Nothing global here.
let lastZoomBucket = 0;
map.on("moveend", () => {
  writeUrl();
  const z = zoomBucket();
  if (z !== lastZoomBucket) { lastZoomBucket = z; void show(state.index); }
});

// ---- names on the map, drawn as HTML over it (no glyph server needed) ----
type LabelRow = [number, string, string | null, number, number, number];
let towns: LabelRow[] = [];
interface AreaLabel { name: string; name_uk: string; lon: number; lat: number; kind: "oblast" | "river" }
let areaLabels: AreaLabel[] = [];
const minPopulation = (z: number) => (z < 5.5 ? 400_000 : z < 6.5 ? 120_000 : z < 7.5 ? 40_000 : z < 8.5 ? 12_000 : z < 9.5 ? 4_000 : 1_000);
const townName = (r: LabelRow) => (lang === "uk" && r[2] ? r[2] : r[1]);
let labelFrame = 0;
function drawLabels() {
  labelFrame = 0;
  const box = $("labels");
  if (!visible("names")) { box.innerHTML = ""; return; }
  const z = map.getZoom();
  const b = map.getBounds();
  const taken: [number, number, number, number][] = [];
  const free = (x0: number, y0: number, x1: number, y1: number) => !taken.some(([a0, b0, a1, b1]) => x0 < a1 && x1 > a0 && y0 < b1 && y1 > b0);
  const html: string[] = [];
  const canvas = map.getCanvas();
  const wpx = canvas.clientWidth, hpx = canvas.clientHeight;
  // Oblasts at country zoom, rivers in between, towns biggest first.
  for (const l of areaLabels) {
    if (l.kind === "oblast" && z >= 7.5) continue;
    if (l.kind === "river" && z < 6) continue;
    if (!b.contains([l.lon, l.lat])) continue;
    const p = map.project([l.lon, l.lat]);
    const name = lang === "uk" ? l.name_uk : l.name;
    const w = name.length * 6.5;
    if (!free(p.x - w / 2, p.y - 8, p.x + w / 2, p.y + 8)) continue;
    taken.push([p.x - w / 2, p.y - 8, p.x + w / 2, p.y + 8]);
    html.push(`<span class="lbl ${l.kind}" style="transform:translate(${p.x.toFixed(0)}px,${p.y.toFixed(0)}px) translate(-50%,-50%)">${esc(name)}</span>`);
  }
  const minPop = minPopulation(z);
  let n = 0;
  for (const r of towns) {
    if (r[3] < minPop || n >= 160) break;
    if (!b.contains([r[4], r[5]])) continue;
    const p = map.project([r[4], r[5]]);
    if (p.x < 0 || p.y < 0 || p.x > wpx || p.y > hpx) continue;
    const name = townName(r);
    const big = r[3] >= 100_000;
    const w = name.length * (big ? 7.5 : 6.5) + 8;
    const box0: [number, number, number, number] = [p.x - 4, p.y - 16, p.x + w, p.y + 4];
    if (!free(...box0)) continue;
    taken.push(box0);
    n += 1;
    html.push(`<span class="lbl town${big ? " big" : ""}" data-place-id="${r[0]}" data-lon="${r[4]}" data-lat="${r[5]}" style="transform:translate(${p.x.toFixed(0)}px,${p.y.toFixed(0)}px)"><i></i>${esc(name)}</span>`);
  }
  box.innerHTML = html.join("");
}
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
const queueLabels = () => { if (!labelFrame) labelFrame = requestAnimationFrame(drawLabels); };
map.on("move", queueLabels);
map.on("resize", queueLabels);

async function loadLabels() {
  try {
    const r = await getJSON<{ rows: LabelRow[] }>("/api/labels");
    towns = r.rows;
  } catch { towns = []; }
  try {
    // Oblast names at the middle of each oblast's largest part; river names
    // at the middle of each river's longest stretch.
    const [ob, rv] = await Promise.all([getJSON<FC>("/api/basemap/oblasts"), getJSON<FC>("/api/basemap/rivers")]);
    areaLabels = [];
    for (const f of ob.features) {
      const c = largestPartCentre(f.geometry);
      const p = f.properties ?? {};
      const en = String(p["name:en"] ?? p.name ?? "");
      if (c && en) areaLabels.push({ name: en, name_uk: String(p.name ?? en), lon: c[0], lat: c[1], kind: "oblast" });
    }
    const longest = new Map<string, { len: number; mid: number[] }>();
    for (const f of rv.features) {
      const name = String(f.properties?.name ?? "");
      if (!name) continue;
      const lines = f.geometry.type === "LineString" ? [f.geometry.coordinates] : f.geometry.type === "MultiLineString" ? f.geometry.coordinates : [];
      for (const l of lines) {
        if (l.length < 2) continue;
        const len = l.length;
        if ((longest.get(name)?.len ?? 0) < len) longest.set(name, { len, mid: l[Math.floor(l.length / 2)] });
      }
    }
    for (const [name, v] of longest) areaLabels.push({ name, name_uk: RIVERS_UK[name] ?? name, lon: v.mid[0], lat: v.mid[1], kind: "river" });
    if (!longest.has("Dnieper") && !longest.has("Dnipro")) {
      for (const [lon, lat] of DNIPRO_LABELS) areaLabels.push({ name: "Dnipro", name_uk: "Дніпро", lon, lat, kind: "river" });
    }
  } catch { /* names are a help, not a requirement */ }
  drawLabels();
  document.body.dataset.labelsLoaded = String(towns.length);
}
// Natural Earth names the rivers in English (Russian-style for some): the
// Ukrainian names of those that cross Ukraine.
const RIVERS_UK: Record<string, string> = {
  "Seversky Donets": "Сіверський Донець", Desna: "Десна", Prypyat: "Прип'ять", Prut: "Прут", Oskol: "Оскіл", Teteriv: "Тетерів",
  Ros: "Рось", Synyukha: "Синюха", Sluch: "Случ", Styr: "Стир", Haryn: "Горинь", Ubort: "Уборть", Uzh: "Уж", Latorytsya: "Латориця",
  "Zakhidnyy Buh": "Західний Буг", Snov: "Снов", Siret: "Серет", "Tikhaya Sosna": "Тиха Сосна",
};
// The Natural Earth file shipped has no Dnipro (its European rivers set
// leaves the largest rivers to another file): its name is placed on the
// water at the Kremenchuk reservoir, Khortytsia island (Zaporizhzhia) and
// Kherson, where every reader looks for it.
const DNIPRO_LABELS: [number, number][] = [[32.55, 49.33], [35.08, 47.84], [32.62, 46.64]];
function largestPartCentre(g: GeoJSON.Geometry): [number, number] | null {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
  let best: [number, number] | null = null, bestArea = -1;
  for (const poly of polys) {
    const ring = poly[0];
    if (!ring || ring.length < 3) continue;
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f; cx += (ring[j][0] + ring[i][0]) * f; cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (Math.abs(a) > bestArea && a !== 0) { bestArea = Math.abs(a); best = [cx / (3 * a), cy / (3 * a)]; }
  }
  return best;
}
// A town's name opens its panel.
$("labels").addEventListener("click", (e) => {
  const t = (e.target as HTMLElement).closest<HTMLElement>(".town");
  if (t?.dataset.placeId) void selectPlace(t.dataset.placeId, false);
});

// ---- click anywhere: what is here on this date ----
const classWords: Record<string, string> = { occupied: W.classOccupied, gray: W.classGray, liberated: W.classLiberated };
const statusWords: Record<string, string> = { held: W.held, contested: W.contested, occupied: W.occ };
map.on("click", async (e: MapMouseEvent) => {
  const date = state.dates[state.index];
  if (!date) return;
  const { lng, lat } = e.lngLat;
  const oblast = map.queryRenderedFeatures(e.point, { layers: ["oblast-fill"] })[0]?.properties ?? null;
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: "300px" }).setLngLat(e.lngLat).setHTML(`<p>${W.loading}</p>`).addTo(map);
  try {
    interface Here { class: string | null; date: string; distance_to_front_m: number | null; nearest_town: null | { id: number; name: string; name_uk: string | null; distance_m: number; population: number; status: null | { status: string; occupied_fraction: number } } }
    const h = await getJSON<Here>(`/api/here?lon=${lng.toFixed(5)}&lat=${lat.toFixed(5)}&date=${date}${src()}`);
    const t = h.nearest_town;
    const obName = oblast ? String(lang === "uk" ? oblast.name ?? oblast["name:en"] : oblast["name:en"] ?? oblast.name) : "";
    const html = `<div class="here" id="here-popup"><h3>${W.here} · ${h.date}</h3>
      <p class="here-class">${h.class ? classWords[h.class] ?? h.class : W.classNone}</p>
      ${obName ? `<p>${W.oblast}: ${esc(obName)}</p>` : ""}
      ${t ? `<p>${W.nearestTown}: <b>${esc(lang === "uk" && t.name_uk ? t.name_uk : t.name)}</b>, ${fmt(t.distance_m / 1000)} ${W.km} ${W.away}${t.status ? ` — ${statusWords[t.status.status] ?? t.status.status} ${W.statusOn} ${h.date} (${fmt(t.status.occupied_fraction * 100, 0)} %)` : ""}</p>
      <button type="button" id="here-open" data-place-id="${t.id}">${W.openTown}</button>` : ""}
      ${h.distance_to_front_m !== null ? `<p>${W.toFront}: ${fmt(h.distance_to_front_m / 1000)} ${W.km}</p>` : ""}</div>`;
    popup.setHTML(html);
    document.getElementById("here-open")?.addEventListener("click", (ev) => {
      void selectPlace(String((ev.target as HTMLElement).dataset.placeId), false);
    });
  } catch (err) { popup.setHTML(`<p>${esc((err as Error).message)}</p>`); }
});

// ---- places: search, status timeline, corridor ----
type PlacesBody = Api["PlacesBody"];
type PlaceTimeline = Api["TimelineBody"];

let searchTimer = 0;
const searchBox = $("search") as HTMLInputElement;
searchBox.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(search, 200);
});
// Down arrow from the box goes into the results; up/down move between them.
searchBox.addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown") { e.preventDefault(); document.querySelector<HTMLElement>("#results button")?.focus(); }
});
$("results").addEventListener("keydown", (e) => {
  const items = [...document.querySelectorAll<HTMLElement>("#results button")];
  const i = items.indexOf(document.activeElement as HTMLElement);
  if (e.key === "ArrowDown" && i >= 0) { e.preventDefault(); items[Math.min(items.length - 1, i + 1)]?.focus(); }
  if (e.key === "ArrowUp" && i >= 0) { e.preventDefault(); if (i === 0) searchBox.focus(); else items[i - 1]?.focus(); }
  if (e.key === "Escape") { $("results").innerHTML = ""; searchBox.focus(); }
});
async function search() {
  const q = searchBox.value.trim();
  const ul = $("results");
  ul.innerHTML = "";
  searchBox.setAttribute("aria-expanded", "false");
  if (q.length < 2) return;
  try {
    const r = await getJSON<PlacesBody>(`/api/places?q=${encodeURIComponent(q)}`);
    for (const m of r.matches) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      const b = document.createElement("button");
      b.type = "button";
      const name = lang === "uk" && m.name_uk ? m.name_uk : m.name;
      b.textContent = `${name}${m.oblast ? ` (${m.oblast})` : ""}${m.population ? ` · ${m.population.toLocaleString(locale)}` : ""}`;
      b.dataset.placeId = String(m.id);
      b.addEventListener("click", () => { ul.innerHTML = ""; void selectPlace(String(m.id), true); });
      li.appendChild(b);
      ul.appendChild(li);
    }
    searchBox.setAttribute("aria-expanded", r.matches.length ? "true" : "false");
    if (!r.matches.length) ul.innerHTML = `<li class=note>${W.noMatch}</li>`;
  } catch (e) { ul.innerHTML = `<li class=note>${esc((e as Error).message)}</li>`; }
}

function seriesChart(svgId: string, pts: { date: string; v: number }[], vmax: number, color: string) {
  const svg = $(svgId), Wd = 320, H = 80;
  if (!pts.length) { svg.innerHTML = ""; return; }
  const t = (d: string) => Date.parse(d);
  const t0 = t(state.dates[0] ?? pts[0].date), t1 = t(state.dates[state.dates.length - 1] ?? pts[pts.length - 1].date);
  const x = (d: string) => 2 + ((t(d) - t0) / Math.max(1, t1 - t0)) * (Wd - 4);
  const y = (v: number) => H - 2 - (v / vmax) * (H - 4);
  const d = pts.map((p, i) => `${i ? "L" : "M"}${x(p.date).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
  const cur = state.dates[state.index];
  const cursor = cur ? `<line x1="${x(cur)}" x2="${x(cur)}" y1="0" y2="${H}" stroke="#1565c0"/>` : "";
  svg.innerHTML = `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>${cursor}`;
}

let placeSeries: PlaceTimeline | null = null;
async function selectPlace(id: string, fly: boolean) {
  state.place = id;
  writeUrl();
  const gen = state.generation;
  try {
    const t = await getJSON<PlaceTimeline>(`/api/places/${encodeURIComponent(id)}/timeline?${src().slice(1)}`);
    if (gen !== state.generation) return;
    placeSeries = t;
    $("placebox").hidden = false;
    $("place-panel").hidden = false;
    $("place-name").textContent = lang === "uk" && t.place.name_uk ? t.place.name_uk : t.place.name;
    // Keys are the capture thresholds ("50%", "95%"): say what they mean.
    const capWords: Record<string, string> = { "50%": W.half, "95%": W.most };
    const cap = t.capture ? Object.entries(t.capture).filter(([, v]) => v).map(([k, v]) => W.captured(String(v), capWords[k] ?? k)).join(" · ") : "";
    $("place-meta").textContent = `${t.place.oblast ?? ""}${t.place.population ? ` · ${W.pop} ${t.place.population.toLocaleString(locale)}` : ""}${cap ? ` · ${cap}` : ""}`;
    seriesChart("place-chart", t.series.map((p) => ({ date: p.date, v: p.occupied_fraction })), 1, "#c62828");
    const ol = $("place-timeline");
    ol.innerHTML = "";
    for (const c of t.changes) {
      const li = document.createElement("li");
      const sw = (s: string) => `<span class="st-${s}">${statusWords[s] ?? s}</span>`;
      li.innerHTML = c.from ? `${c.date}: ${sw(c.from)} → ${sw(c.to)}` : `${c.date}: ${sw(c.to)} ${W.firstMapOf}`;
      ol.appendChild(li);
    }
    if (!t.changes.length) ol.innerHTML = `<li>${W.noData}</li>`;
    refreshPlaceNow();
    (map.getSource("place") as GeoJSONSource).setData({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [t.place.lon, t.place.lat] } }] });
    if (fly) map.flyTo({ center: [t.place.lon, t.place.lat], zoom: Math.max(map.getZoom(), 9), duration: 0 });
    document.body.dataset.place = t.place.name;
    void loadCorridor(id);
  } catch (e) {
    $("place-panel").hidden = false;
    $("place-name").textContent = `${W.place} ${id}: ${(e as Error).message}`;
  }
}
// The town's status on the slider's date (not the last one).
function refreshPlaceNow() {
  const t = placeSeries;
  const d = state.dates[state.index];
  if (!t || !d) return;
  const p = [...t.series].reverse().find((x) => x.date <= d);
  $("place-now").textContent = p ? `${d}: ${statusWords[p.status] ?? p.status} (${fmt(p.occupied_fraction * 100, 0)} %)` : "";
}

// The corridor series is asked for CORRIDOR_MAPS maps at a time, newest
// first: each request measures a bounded number of maps (a town's whole
// history took seconds in one request, a year of daily ISW maps ten), and
// the newest figures show first. 24 maps a request took 1.44 s in CI
// beside the browser; 12, with the faster gap search, stay well under 1 s.
const CORRIDOR_MAPS = 12;
let corridorRequest = 0;
async function loadCorridor(id: string) {
  $("corridor-box").hidden = true;
  if (!state.features.corridor) return;
  type Fig = { state: string; width_m: number | null; gap_m: number | null; length_m: number | null };
  type Row = Fig & { date: string; with_gray: Fig | null };
  const ticket = ++corridorRequest;
  const gen = state.generation;
  const dates = state.dates;
  let rows: Row[] = [];
  for (let hi = dates.length - 1; hi >= 0; hi -= CORRIDOR_MAPS) {
    const from = dates[Math.max(0, hi - CORRIDOR_MAPS + 1)], to = dates[hi];
    let part: Row[];
    try {
      part = (await getJSON<{ rows: Row[] }>(`/api/places/${encodeURIComponent(id)}/corridor?with_gray=true&from=${from}&to=${to}&${src().slice(1)}`)).rows;
    } catch { part = []; /* no corridor for this place in these years */ }
    if (ticket !== corridorRequest || gen !== state.generation) return; // another town or source since
    rows = [...part, ...rows];
    drawCorridor(rows);
  }
  function drawCorridor(all: Row[]) {
    // The width is known on every date the way out fits the window; the gap
    // is not (none while the town is in the rear), so the chart draws the width.
    const pts = all.filter((p) => p.width_m !== null).map((p) => ({ date: p.date, v: (p.width_m as number) / 1000 }));
    if (!pts.length) return;
    $("corridor-box").hidden = false;
    seriesChart("corridor-chart", pts, Math.max(...pts.map((p) => p.v)), "#1565c0");
    // The slider's date, not the last one.
    const d = state.dates[state.index];
    const row = [...all].reverse().find((x) => x.date <= d) ?? all[all.length - 1];
    const km = (m: number | null) => (m === null ? W.beyondWindow : `${fmt(m / 1000)} ${W.km}`);
    const st = (s: string) => W.corridorStates[s] ?? s;
    const g = row.with_gray;
    const gray = g ? W.corridorGray(km(g.gap_m), km(g.width_m), st(g.state)) : "";
    $("corridor-note").textContent = W.corridorNote(row.date, km(row.gap_m), km(row.width_m), km(row.length_m), st(row.state)) + gray;
  }
}

// ---- downloads: what is on screen ----
function save(name: string, blob: Blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
const fileStem = () => `frontline-${state.source}-${state.dates[state.index] ?? ""}`;
$("dl-csv").addEventListener("click", () => {
  // Every date's figures of this source, the audit's flag beside each.
  const flagOf = (d: string) => findings.filter((f) => f.date === d && f.kind !== "confirmed_change").map((f) => `${f.kind}: ${f.detail}`).join("; ");
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = ["date,source,occupied_km2,occupied_share_of_ukraine_pct,gray_km2,audit_flag"];
  for (const r of areaRows) lines.push([r.date, state.source, r.occupied_km2.toFixed(1), r.occupied_pct.toFixed(3), r.gray_km2 === null ? "" : r.gray_km2.toFixed(1), q(flagOf(r.date))].join(","));
  save(`${fileStem()}.csv`, new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
});
$("dl-geojson").addEventListener("click", async () => {
  // The layers drawn now (simplified for this zoom; the figures are on the full geometry).
  const features: GeoJSON.Feature[] = [];
  const add = (layer: string, fc: FC) => fc.features.forEach((f) => features.push({ ...f, properties: { ...f.properties, layer } }));
  const d = state.dates[state.index];
  add("snapshot", await fetchSnapshot(d, zoomBucket()));
  for (const name of ["changes", "diff", "front"]) {
    const s = map.getSource(name) as GeoJSONSource & { _data?: unknown };
    const data = await s.getData().catch(() => EMPTY);
    if (data && (data as FC).features) add(name, data as FC);
  }
  const fc = { type: "FeatureCollection", source: state.source, date: d, features };
  save(`${fileStem()}.geojson`, new Blob([JSON.stringify(fc)], { type: "application/geo+json" }));
});
$("dl-png").addEventListener("click", () => {
  // The map's canvas, the names, the legend and the attribution, drawn into one picture.
  const mc = map.getCanvas();
  const ratio = mc.width / mc.clientWidth;
  const c = document.createElement("canvas");
  c.width = mc.width; c.height = mc.height;
  const g = c.getContext("2d");
  if (!g) return;
  g.drawImage(mc, 0, 0);
  g.scale(ratio, ratio);
  g.font = "12px system-ui, sans-serif";
  for (const el of document.querySelectorAll<HTMLElement>("#labels .lbl")) {
    const m = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(el.style.transform);
    if (!m) continue;
    const [x, y] = [Number(m[1]), Number(m[2])];
    const text = el.textContent ?? "";
    g.textAlign = el.classList.contains("town") ? "left" : "center";
    g.lineWidth = 3; g.strokeStyle = "#fff"; g.fillStyle = el.classList.contains("river") ? "#2a6496" : "#222";
    const tx = el.classList.contains("town") ? x + 6 : x, ty = el.classList.contains("town") ? y - 3 : y + 4;
    g.strokeText(text, tx, ty); g.fillText(text, tx, ty);
  }
  g.textAlign = "left";
  const rows = [...document.querySelectorAll<HTMLElement>("#legend > div")];
  const lw = 330, lh = 18 * rows.length + 10;
  g.fillStyle = "rgba(255,255,255,0.92)"; g.fillRect(8, 50, lw, lh);
  rows.forEach((r, i) => {
    const sw = r.querySelector<HTMLElement>(".swatch");
    const col = sw?.style.getPropertyValue("--c");
    if (col) { g.fillStyle = col; g.fillRect(14, 58 + i * 18, 14, 12); }
    g.fillStyle = "#222"; g.fillText(r.textContent ?? "", col || sw ? 34 : 14, 68 + i * 18);
  });
  const w = mc.clientWidth, h = mc.clientHeight;
  g.fillStyle = "rgba(255,255,255,0.9)"; g.fillRect(0, h - 20, w, 20);
  g.fillStyle = "#333"; g.fillText(`© ${ATTRIBUTION} · ${location.origin}`, 6, h - 6);
  c.toBlob((b) => { if (b) save(`${fileStem()}.png`, b); }, "image/png");
});

// What the first view can do without until the occupied layer is drawn:
// the base map's neighbours, oblasts and rivers, and the names.
let deferredLoaded = false;
function afterFirstDraw() {
  if (deferredLoaded) return;
  deferredLoaded = true;
  applyVisibility();
  for (const name of ["countries", "land", "oblasts", "rivers"]) (map.getSource(name) as GeoJSONSource | undefined)?.setData(`/api/basemap/${name}`);
  void loadLabels();
}

// ---- the phone's bottom sheet ----
$("sheet-handle").addEventListener("click", () => {
  document.body.classList.toggle("sheet-open");
  setTimeout(() => map.resize(), 50);
});

// ---- start ----
async function start() {
  const st = await early.status;
  state.features = st.features;
  $("placebox").hidden = !st.features.places;
  $("front-row").hidden = !st.features.front;
  state.sources = await early.sources;
  performance.mark("fl:sources");
  const sel = $("source") as HTMLSelectElement;
  const selB = $("source-b") as HTMLSelectElement;
  const label = (s: Source) => `${sourceName(s)}, ${(s.first ?? "").slice(0, 10)} – ${(s.last ?? "").slice(0, 10)}`;
  for (const s of state.sources) sel.add(new Option(label(s), s.source));
  if (!state.source && state.sources.length) {
    state.source = defaultSource(state.sources);
  }
  sel.value = state.source;
  fillSourceB();
  sel.addEventListener("change", () => { state.source = sel.value; void loadSource(state.dates[state.index] ?? null); });
  selB.addEventListener("change", () => { state.sourceB = selB.value; drawLayerList(); writeUrl(); scheduleRest(); });
  applyVisibility();
  // Should the first layer never draw (no snapshot, an error), the rest still comes.
  setTimeout(afterFirstDraw, 3000);
  await loadSource(params.get("date"));
  if (state.place) void selectPlace(state.place, !params.get("lat"));
}
function fillSourceB() {
  const selB = $("source-b") as HTMLSelectElement;
  selB.innerHTML = "";
  selB.add(new Option(W.none, ""));
  for (const s of state.sources) if (s.source !== state.source) selB.add(new Option(sourceName(s), s.source));
  if (state.sourceB === state.source) state.sourceB = "";
  selB.value = state.sourceB;
  $("sourcebox").hidden = state.sources.length < 2;
}

// A source switch resets every panel: figures, chart, flags, comparison,
// town, frontline; the date stays the nearest map of the new source.
async function loadSource(wanted: string | null) {
  const gen = ++state.generation;
  popup?.remove();
  popup = null;
  areaRows = []; areaByDate = new Map(); findings = [];
  drawChart();
  updateFigures();
  $("reference-note").textContent = "";
  $("front-km").textContent = "–";
  $("change").textContent = "–";
  for (const s of ["front", "changes", "diff"]) (map.getSource(s) as GeoJSONSource | undefined)?.setData(EMPTY);
  fillSourceB();
  shownKey = "";
  delete document.body.dataset.areaLoaded;
  const e = early.dates ? await early.dates.catch(() => null) : null;
  early.dates = null;
  const d = e && e.source === state.source ? e : await getJSON<{ dates: string[] }>(`/api/dates?source=${encodeURIComponent(state.source)}`);
  if (gen !== state.generation) return;
  state.dates = d.dates;
  if (state.compareDate && !d.dates.includes(state.compareDate)) state.compareDate = "";
  const slider = $("slider") as HTMLInputElement;
  slider.max = String(Math.max(0, d.dates.length - 1));
  let i = wanted ? d.dates.indexOf(wanted) : -1;
  if (i < 0 && wanted) i = d.dates.findLastIndex((x) => x <= wanted);
  if (i < 0 && wanted) i = 0;
  await show(i < 0 ? d.dates.length - 1 : i);
  if (state.place) void selectPlace(state.place, false);
  void getJSON<{ audit: { findings: Finding[] } }>(`/api/audit?source=${encodeURIComponent(state.source)}`).then((a) => {
    if (gen !== state.generation) return;
    findings = a.audit.findings;
    drawChart();
    updateFigures();
  }).catch(() => { /* the audit is an extra */ });
  try {
    const a = await getJSON<{ rows: AreaRow[]; reference: string; reference_km2: number; country_km2: number }>(`/api/area?source=${encodeURIComponent(state.source)}`);
    if (gen !== state.generation) return;
    areaRows = a.rows;
    areaByDate = new Map(a.rows.map((r) => [r.date, r]));
    $("reference-note").textContent = W.reference(fmt(a.country_km2, 0));
    drawChart();
    updateFigures();
    document.body.dataset.areaLoaded = state.source;
  } catch (e) { $("reference-note").textContent = `– ${(e as Error).message}`; }
}

// A running server serves maps synced or ingested after it started
// (`serve --check-store-every`): an open page looks for new dates every
// minute and, when they changed, reloads the source on the date it shows
// (or on the newest, when it was showing the latest).
async function refreshDates() {
  if (!state.source || state.playing || !state.dates.length) return;
  const source = state.source;
  const d = await getJSON<{ dates: string[] }>(`/api/dates?source=${encodeURIComponent(source)}`);
  if (source !== state.source || state.playing) return;
  if (d.dates.length === state.dates.length && d.dates.every((x, i) => x === state.dates[i])) return;
  const atLatest = state.index === state.dates.length - 1;
  await loadSource(atLatest ? null : state.dates[state.index]);
}
setInterval(() => void refreshDates().catch(() => undefined), 60_000);

// Started once the style is parsed, not after the base layers are drawn:
// the occupied layer need not wait for the neighbouring countries.
map.once("style.load", () => void (performance.mark("fl:style-load"), start()).catch((e) => { $("date-label").textContent = `error: ${(e as Error).message}`; }));
