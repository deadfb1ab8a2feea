// frontline's web map: the occupied and gray layers of the chosen date, a
// slider over every snapshot date, the area chart, and a town's panel.
// Every figure shown comes from the server (the engine computes it); this
// file only draws. The URL holds date, view, source and selected town.
import maplibregl from "maplibre-gl";
import type { GeoJSONSource, StyleSpecification } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";

type FC = GeoJSON.FeatureCollection;
interface Source { source: string; snapshots: number; classes: string[] }
interface AreaRow { date: string; occupied_km2: number; occupied_pct: number; gray_km2: number | null; occupied_or_gray_km2: number | null }
interface Status { features: Record<string, boolean> }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const EMPTY: FC = { type: "FeatureCollection", features: [] };
const fmt = (x: number, d = 1) => x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });

async function getJSON<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).error ?? msg; } catch { /* not JSON */ }
    throw new Error(msg);
  }
  return r.json() as Promise<T>;
}

// ---- state, mirrored in the URL ----
const params = new URLSearchParams(location.search);
const state = {
  source: params.get("source") ?? "",
  dates: [] as string[],
  index: 0,
  place: params.get("place") ?? "",
  playing: false,
  features: {} as Record<string, boolean>,
};

function writeUrl() {
  const p = new URLSearchParams();
  if (state.source) p.set("source", state.source);
  if (state.dates.length) p.set("date", state.dates[state.index]);
  const c = map.getCenter();
  p.set("z", map.getZoom().toFixed(2));
  p.set("lat", c.lat.toFixed(4));
  p.set("lon", c.lng.toFixed(4));
  if (state.place) p.set("place", state.place);
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

// ---- the map: base layers from the server, no tiles ----
const style: StyleSpecification = {
  version: 8,
  sources: {
    countries: { type: "geojson", data: "/api/basemap/countries" },
    land: { type: "geojson", data: "/api/basemap/land" },
    oblasts: { type: "geojson", data: "/api/basemap/oblasts" },
    rivers: { type: "geojson", data: "/api/basemap/rivers" },
    snapshot: { type: "geojson", data: EMPTY },
    place: { type: "geojson", data: EMPTY },
    front: { type: "geojson", data: EMPTY },
  },
  layers: [
    { id: "sea", type: "background", paint: { "background-color": "#dfe6ec" } },
    { id: "countries", type: "fill", source: "countries", paint: { "fill-color": "#eeebe4", "fill-outline-color": "#b9b3a8" } },
    { id: "land", type: "fill", source: "land", paint: { "fill-color": "#fdfcf8" } },
    { id: "rivers", type: "line", source: "rivers", paint: { "line-color": "#9cc0de", "line-width": 1 } },
    { id: "liberated", type: "fill", source: "snapshot", filter: ["==", ["get", "class"], "liberated"], paint: { "fill-color": "#2e7d32", "fill-opacity": 0.18 } },
    { id: "gray", type: "fill", source: "snapshot", filter: ["==", ["get", "class"], "gray"], paint: { "fill-color": "#7d7d7d", "fill-opacity": 0.5 } },
    { id: "occupied", type: "fill", source: "snapshot", filter: ["==", ["get", "class"], "occupied"], paint: { "fill-color": "#c62828", "fill-opacity": 0.45 } },
    { id: "occupied-edge", type: "line", source: "snapshot", filter: ["==", ["get", "class"], "occupied"], paint: { "line-color": "#8e0000", "line-width": 1 } },
    { id: "front", type: "line", source: "front", paint: { "line-color": "#111", "line-width": 1.6, "line-dasharray": [3, 1.5] } },
    { id: "oblasts", type: "line", source: "oblasts", paint: { "line-color": "#6d6d6d", "line-width": 0.7 } },
    { id: "place", type: "circle", source: "place", paint: { "circle-radius": 6, "circle-color": "#1565c0", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
  ],
};

const map = new maplibregl.Map({
  container: "map",
  style,
  center: [Number(params.get("lon") ?? 33.5), Number(params.get("lat") ?? 48.6)],
  zoom: Number(params.get("z") ?? 5.3),
  minZoom: 3,
  maxZoom: 13,
  attributionControl: false,
  canvasContextAttributes: { preserveDrawingBuffer: true }, // lets the end-to-end test read pixels
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
map.addControl(new maplibregl.AttributionControl({ customAttribution: "DeepStateMap / ISW via frontline · OSM · Natural Earth" }));
(window as unknown as { __frontline: unknown }).__frontline = { map, state };

// ---- snapshots: fetched per (date, zoom bucket), cached, prefetched ----
const zoomBucket = () => Math.max(3, Math.min(13, Math.floor(map.getZoom())));
const cache = new Map<string, Promise<FC>>();
function snapshotUrl(date: string, zoom: number) {
  const s = state.source ? `&source=${encodeURIComponent(state.source)}` : "";
  return `/api/snapshot/${date}?zoom=${zoom}${s}`;
}
function fetchSnapshot(date: string, zoom: number): Promise<FC> {
  const key = `${state.source}|${date}|${zoom}`;
  let p = cache.get(key);
  if (!p) {
    p = getJSON<FC>(snapshotUrl(date, zoom));
    p.catch(() => cache.delete(key));
    cache.set(key, p);
    if (cache.size > 1500) cache.delete(cache.keys().next().value as string);
  }
  return p;
}
function prefetch(center: number) {
  const z = zoomBucket();
  for (const d of [1, 2, 3, 4, 5, 6, -1, -2]) {
    const i = center + d;
    if (i >= 0 && i < state.dates.length) void fetchSnapshot(state.dates[i], z);
  }
}

let shownKey = "";
let pending = 0; // snapshot requests in flight (the e2e test waits for none)
async function show(index: number) {
  state.index = Math.max(0, Math.min(state.dates.length - 1, index));
  const date = state.dates[state.index];
  ($("slider") as HTMLInputElement).value = String(state.index);
  $("date-label").textContent = date ?? "–";
  writeUrl();
  updateFigures();
  drawChartCursor();
  if (!date) return;
  const z = zoomBucket();
  const key = `${state.source}|${date}|${z}`;
  pending += 1;
  document.body.dataset.loading = "1";
  try {
    const fc = await fetchSnapshot(date, z);
    if (state.dates[state.index] !== date) return; // the slider moved on
    if (key !== shownKey) {
      (map.getSource("snapshot") as GeoJSONSource).setData(fc);
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
  if (!state.playing) scheduleChange();
  else (map.getSource("front") as GeoJSONSource).setData(EMPTY);
}

// ---- figures and the area chart (values from /api/area) ----
let areaRows: AreaRow[] = [];
let areaByDate = new Map<string, AreaRow>();
function updateFigures() {
  const r = areaByDate.get(state.dates[state.index]);
  $("occupied-km2").textContent = r ? `${fmt(r.occupied_km2)} km²` : "–";
  $("occupied-pct").textContent = r ? `${fmt(r.occupied_pct, 2)} %` : "–";
  $("gray-row").hidden = !(r && r.gray_km2 !== null);
  if (r && r.gray_km2 !== null) $("gray-km2").textContent = `${fmt(r.gray_km2)} km²`;
}

const CW = 320, CH = 120, PAD = 4;
let xOf = (_d: string) => 0;
function drawChart() {
  const svg = $("chart");
  if (!areaRows.length) { svg.innerHTML = ""; return; }
  const t = (d: string) => Date.parse(d);
  const t0 = t(areaRows[0].date), t1 = t(areaRows[areaRows.length - 1].date);
  const vals = areaRows.flatMap((r) => [r.occupied_km2, r.occupied_or_gray_km2 ?? r.occupied_km2]);
  const lo = Math.min(...vals), hi = Math.max(...vals);
  xOf = (d: string) => PAD + ((t(d) - t0) / Math.max(1, t1 - t0)) * (CW - 2 * PAD);
  const yOf = (v: number) => CH - PAD - ((v - lo) / Math.max(1e-9, hi - lo)) * (CH - 2 * PAD);
  const path = (f: (r: AreaRow) => number | null) =>
    areaRows.filter((r) => f(r) !== null).map((r, i) => `${i ? "L" : "M"}${xOf(r.date).toFixed(1)},${yOf(f(r) as number).toFixed(1)}`).join("");
  const upper = areaRows.some((r) => r.occupied_or_gray_km2 !== null)
    ? `<path d="${path((r) => r.occupied_or_gray_km2)}" fill="none" stroke="#7d7d7d" stroke-width="1"/>` : "";
  svg.innerHTML = `${upper}<path d="${path((r) => r.occupied_km2)}" fill="none" stroke="#c62828" stroke-width="1.5"/>
    <text x="6" y="12" font-size="9" fill="#555">${fmt(hi, 0)} km²</text>
    <text x="6" y="${CH - 6}" font-size="9" fill="#555">${fmt(lo, 0)} km²</text>
    <line id="cursor" x1="0" x2="0" y1="0" y2="${CH}" stroke="#1565c0" stroke-width="1"/>`;
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

// Gained and lost since the previous snapshot: asked once the slider rests.
let changeTimer = 0;
function scheduleChange() {
  clearTimeout(changeTimer);
  $("change").textContent = "…";
  changeTimer = window.setTimeout(async () => {
    const i = state.index;
    void loadFront(i);
    if (i === 0) { $("change").textContent = "first map"; return; }
    const [a, b] = [state.dates[i - 1], state.dates[i]];
    const s = state.source ? `&source=${encodeURIComponent(state.source)}` : "";
    try {
      const r = await getJSON<{ rows: { gained_km2: number; lost_km2: number }[] }>(`/api/change?every=snapshot&from=${a}&to=${b}${s}`);
      if (state.index !== i) return;
      const row = r.rows[0];
      // A sign on a zero reads as a change: only signed when there is one.
      const signed = (v: number, sign: string) => (v > 0 ? sign : "") + fmt(v);
      $("change").textContent = row ? `${signed(row.gained_km2, "+")} / ${signed(row.lost_km2, "−")} km²` : "–";
    } catch { $("change").textContent = "–"; }
  }, 400);
}

// The frontline (drawn dashed) and its length, once the slider rests.
async function loadFront(i: number) {
  if (!state.features.front) return;
  const s = state.source ? `&source=${encodeURIComponent(state.source)}` : "";
  try {
    const fc = await getJSON<FC & { length_km: number }>(`/api/front/${state.dates[i]}?zoom=${zoomBucket()}${s}`);
    if (state.index !== i) return;
    (map.getSource("front") as GeoJSONSource).setData(fc);
    $("front-km").textContent = `${fmt(fc.length_km)} km`;
  } catch { $("front-km").textContent = "–"; }
}

// ---- slider and play ----
$("slider").addEventListener("input", (e) => void show(Number((e.target as HTMLInputElement).value)));
async function play() {
  while (state.playing && state.index < state.dates.length - 1) {
    const started = performance.now();
    await show(state.index + 1);
    await new Promise((r) => setTimeout(r, Math.max(0, 120 - (performance.now() - started))));
  }
  state.playing = false;
  scheduleChange();
  $("play").textContent = "▶";
}
$("play").addEventListener("click", () => {
  state.playing = !state.playing;
  $("play").textContent = state.playing ? "❚❚" : "▶";
  if (state.playing) {
    if (state.index >= state.dates.length - 1) state.index = 0;
    void play();
  }
});
document.addEventListener("keydown", (e) => {
  if ((e.target as HTMLElement).tagName === "INPUT" && (e.target as HTMLInputElement).type === "search") return;
  if (e.key === "ArrowRight") void show(state.index + 1);
  if (e.key === "ArrowLeft") void show(state.index - 1);
});
map.on("moveend", () => { writeUrl(); void show(state.index); });

// ---- places: search, status timeline, corridor ----
interface PlaceMatch { id: string | number; name: string; oblast?: string; population?: number; lon: number; lat: number }
interface PlacePoint { date: string; occupied_fraction: number; gray_fraction?: number | null; status: string }
interface PlaceTimeline { place: PlaceMatch; series: PlacePoint[]; changes: { date: string; from: string | null; to: string }[]; capture?: Record<string, string | null> }

let searchTimer = 0;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(search, 200);
});
async function search() {
  const q = ($("search") as HTMLInputElement).value.trim();
  const ul = $("results");
  ul.innerHTML = "";
  if (q.length < 2) return;
  try {
    const r = await getJSON<{ matches: PlaceMatch[] }>(`/api/places?q=${encodeURIComponent(q)}`);
    for (const m of r.matches) {
      const li = document.createElement("li");
      li.textContent = `${m.name}${m.oblast ? ` (${m.oblast})` : ""}${m.population ? ` · ${m.population.toLocaleString("en-US")}` : ""}`;
      li.dataset.placeId = String(m.id);
      li.addEventListener("click", () => { ul.innerHTML = ""; void selectPlace(String(m.id), true); });
      ul.appendChild(li);
    }
    if (!r.matches.length) ul.innerHTML = "<li class=note>no match</li>";
  } catch (e) { ul.innerHTML = `<li class=note>${(e as Error).message}</li>`; }
}

function seriesChart(svgId: string, pts: { date: string; v: number }[], vmax: number, color: string) {
  const svg = $(svgId), W = 320, H = 80;
  if (!pts.length) { svg.innerHTML = ""; return; }
  const t = (d: string) => Date.parse(d);
  const t0 = t(state.dates[0] ?? pts[0].date), t1 = t(state.dates[state.dates.length - 1] ?? pts[pts.length - 1].date);
  const x = (d: string) => 2 + ((t(d) - t0) / Math.max(1, t1 - t0)) * (W - 4);
  const y = (v: number) => H - 2 - (v / vmax) * (H - 4);
  const d = pts.map((p, i) => `${i ? "L" : "M"}${x(p.date).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
  svg.innerHTML = `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`;
}

async function selectPlace(id: string, fly: boolean) {
  state.place = id;
  writeUrl();
  const s = state.source ? `?source=${encodeURIComponent(state.source)}` : "";
  try {
    const t = await getJSON<PlaceTimeline>(`/api/places/${encodeURIComponent(id)}/timeline${s}`);
    $("place-panel").hidden = false;
    $("place-name").textContent = t.place.name;
    // Keys are the capture thresholds ("50%", "95%"): say what they mean.
    const capWords: Record<string, string> = { "50%": "half the town occupied", "95%": "95 % of the town occupied" };
    const cap = t.capture ? Object.entries(t.capture).filter(([, v]) => v).map(([k, v]) => `${v} (${capWords[k] ?? `${k} of the town occupied`})`).join(" · ") : "";
    $("place-meta").textContent = `${t.place.oblast ?? ""}${t.place.population ? ` · pop. ${t.place.population.toLocaleString("en-US")}` : ""}${cap ? ` · captured ${cap}` : ""}`;
    seriesChart("place-chart", t.series.map((p) => ({ date: p.date, v: p.occupied_fraction })), 1, "#c62828");
    const ol = $("place-timeline");
    ol.innerHTML = "";
    for (const c of t.changes) {
      const li = document.createElement("li");
      li.innerHTML = c.from
        ? `${c.date}: <span class="st-${c.from}">${c.from}</span> → <span class="st-${c.to}">${c.to}</span>`
        : `${c.date}: <span class="st-${c.to}">${c.to}</span> (first map)`;
      ol.appendChild(li);
    }
    if (!t.changes.length) ol.innerHTML = `<li>no data</li>`;
    (map.getSource("place") as GeoJSONSource).setData({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [t.place.lon, t.place.lat] } }] });
    if (fly) map.flyTo({ center: [t.place.lon, t.place.lat], zoom: Math.max(map.getZoom(), 9), duration: 0 });
    document.body.dataset.place = t.place.name;
    void loadCorridor(id);
  } catch (e) {
    $("place-panel").hidden = false;
    $("place-name").textContent = `place ${id}: ${(e as Error).message}`;
  }
}

async function loadCorridor(id: string) {
  $("corridor-box").hidden = true;
  if (!state.features.corridor) return;
  const s = state.source ? `&source=${encodeURIComponent(state.source)}` : "";
  type Fig = { state: string; width_m: number | null; gap_m: number | null; length_m: number | null };
  try {
    const r = await getJSON<{ rows: (Fig & { date: string; with_gray: Fig | null })[] }>(`/api/places/${encodeURIComponent(id)}/corridor?with_gray=true${s}`);
    // The width is known on every date the way out fits the window; the gap
    // is not (none while the town is in the rear), so the chart draws the width.
    const pts = r.rows.filter((p) => p.width_m !== null).map((p) => ({ date: p.date, v: (p.width_m as number) / 1000 }));
    if (!pts.length) return;
    $("corridor-box").hidden = false;
    seriesChart("corridor-chart", pts, Math.max(...pts.map((p) => p.v)), "#1565c0");
    const last = r.rows[r.rows.length - 1];
    const km = (m: number | null) => (m === null ? "n/a" : `${fmt(m / 1000)} km`);
    const g = last.with_gray;
    const gray = g ? `; counting the gray zone: gap ${km(g.gap_m)}, width ${km(g.width_m)} (${g.state})` : "";
    $("corridor-note").textContent = `${last.date}: pincer gap ${km(last.gap_m)}, narrowest width ${km(last.width_m)}, ${km(last.length_m)} to the rear (${last.state})${gray}`;
  } catch { /* no corridor for this place */ }
}

// ---- start ----
async function start() {
  const st = await getJSON<Status>("/api/status");
  state.features = st.features;
  $("placebox").hidden = !st.features.places;
  $("front-row").hidden = !st.features.front;
  const sources = await getJSON<Source[]>("/api/sources");
  const sel = $("source") as HTMLSelectElement;
  for (const s of sources) sel.add(new Option(`${s.source} (${s.snapshots})`, s.source));
  if (!state.source && sources.length) {
    state.source = (sources.find((s) => s.source === "deepstate-daily") ?? sources[0]).source;
  }
  sel.value = state.source;
  sel.addEventListener("change", () => { state.source = sel.value; void loadSource(null); });
  await loadSource(params.get("date"));
  if (state.place) void selectPlace(state.place, !params.get("lat"));
}

async function loadSource(wanted: string | null) {
  const d = await getJSON<{ dates: string[] }>(`/api/dates?source=${encodeURIComponent(state.source)}`);
  state.dates = d.dates;
  const slider = $("slider") as HTMLInputElement;
  slider.max = String(Math.max(0, d.dates.length - 1));
  let i = wanted ? d.dates.indexOf(wanted) : -1;
  if (i < 0 && wanted) i = d.dates.findLastIndex((x) => x <= wanted);
  await show(i < 0 ? d.dates.length - 1 : i);
  areaRows = []; areaByDate = new Map();
  drawChart();
  await loadArea();
}

async function loadArea() {
  try {
    const a = await getJSON<{ rows: AreaRow[]; reference: string; reference_km2: number; country_km2: number }>(`/api/area?source=${encodeURIComponent(state.source)}`);
    areaRows = a.rows;
    areaByDate = new Map(a.rows.map((r) => [r.date, r]));
    $("reference-note").textContent = `within ${a.reference}; share of ${fmt(a.country_km2, 0)} km²`;
    drawChart();
    updateFigures();
    document.body.dataset.areaLoaded = "1";
  } catch (e) { $("reference-note").textContent = `area unavailable: ${(e as Error).message}`; }
}

// A running server serves maps synced or ingested after it started
// (`serve --check-store-every`): an open page looks for new dates every
// minute and, when it was showing the latest one, moves on to the newest.
async function refreshDates() {
  if (!state.source || state.playing || !state.dates.length) return;
  const source = state.source;
  const d = await getJSON<{ dates: string[] }>(`/api/dates?source=${encodeURIComponent(source)}`);
  if (source !== state.source || state.playing) return;
  if (d.dates.length === state.dates.length && d.dates.every((x, i) => x === state.dates[i])) return;
  const atLatest = state.index === state.dates.length - 1;
  const current = state.dates[state.index];
  state.dates = d.dates;
  ($("slider") as HTMLInputElement).max = String(Math.max(0, d.dates.length - 1));
  await show(atLatest ? d.dates.length - 1 : Math.max(0, d.dates.indexOf(current)));
  await loadArea();
}
setInterval(() => void refreshDates().catch(() => undefined), 60_000);

map.on("load", () => void start().catch((e) => { $("date-label").textContent = `error: ${(e as Error).message}`; }));
