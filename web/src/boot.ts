// The first view's requests, started by a small script in the page's head
// while the map's bundle (a megabyte, mostly MapLibre) still downloads and
// parses: the status, the sources, the dates of the source shown and the
// occupied layer of the date and zoom the URL asks for. main.ts takes each
// answer once, by its exact URL (`takeEarly`), and asks the server itself
// for anything else. Without this the layer's request left only after the
// bundle had run, half a second or more into the first view.
// The URLs and choices here must stay those main.ts makes (default source,
// date, zoom bucket), else its requests simply miss and go out as usual.

const early = new Map<string, Promise<Response>>();

const get = (url: string) => {
  const p = fetch(url);
  early.set(url, p);
  return p;
};
const json = <T>(p: Promise<Response>) => p.then((r) => (r.ok ? (r.clone().json() as Promise<T>) : Promise.reject(new Error(String(r.status)))));

const params = new URLSearchParams(location.search);
get("/api/status");
const sources = json<{ source: string }[]>(get("/api/sources"));
const wanted = params.get("source");
const source = wanted ? Promise.resolve(wanted) : sources.then((l) => (l.find((s) => s.source === "deepstate-daily") ?? l[0])?.source ?? "");
// The zoom bucket of the view the URL opens (main.ts: floor of the zoom, 3 to 13; 5.3 when absent).
const zoom = Math.max(3, Math.min(13, Math.floor(Number(params.get("z") ?? 5.3) || 5.3)));
// The occupied layer of the first view, parsed, with main.ts's cache key for it.
type First = { key: string; fc: unknown } | null;
let firstLayer: Promise<First> = Promise.resolve(null);
const settled: Promise<void> = source
  .then((s) => {
    if (!s) return;
    return json<{ dates: string[] }>(get(`/api/dates?source=${encodeURIComponent(s)}`)).then((d) => {
      const want = params.get("date");
      const i = want ? d.dates.findLastIndex((x) => x <= want) : d.dates.length - 1;
      const date = d.dates[Math.max(0, i)];
      if (!date) return;
      firstLayer = json<unknown>(get(`/api/snapshot/${date}?zoom=${zoom}&source=${encodeURIComponent(s)}`))
        .then((fc) => ({ key: `${s}|${date}|${zoom}`, fc }))
        .catch(() => null);
    });
  })
  .catch(() => { /* main.ts asks again and reports the error */ });
const first: Promise<First> = settled.then(() => firstLayer);
// main.ts waits for `settled` (every request here has left) before it asks
// for anything: else it could send the same request again in between.
(window as unknown as { __early: unknown }).__early = { answers: early, settled, first };
export {}; // a module of its own (its names are not main.ts's); bundled as a plain script
