// Bundles the map into dist/ (embedded into the frontline binary at build
// time). Everything comes from node_modules: no CDN, no tiles, no fonts.
// Bundles carry a content hash in their names (the server lets browsers
// keep them for a year); index.html is rewritten to name them. Each text
// file also gets its brotli (top quality) and gzip copy, NAME.br and
// NAME.gz, made here once so the server never spends seconds on them.
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { basename } from "node:path";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
const result = await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2022"],
  outdir: "dist",
  entryNames: "[name]-[hash]",
  loader: { ".css": "css" },
  metafile: true,
  logLevel: "info",
});
// The head's small script that starts the first view's requests (src/boot.ts): a
// classic script, run before the page's body is parsed.
const boot = await build({
  entryPoints: ["src/boot.ts"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2022"],
  outdir: "dist",
  entryNames: "[name]-[hash]",
  metafile: true,
  logLevel: "info",
});
const outputs = [...Object.keys(result.metafile.outputs), ...Object.keys(boot.metafile.outputs)].map((p) => basename(p));
const bootJs = outputs.find((f) => /^boot-[A-Z0-9]{8}\.js$/.test(f));
const js = outputs.find((f) => /^main-[A-Z0-9]{8}\.js$/.test(f));
const css = outputs.find((f) => /^main-[A-Z0-9]{8}\.css$/.test(f));
if (!js || !css || !bootJs) throw new Error(`build: hashed bundles not found among ${outputs.join(", ")}`);
const html = readFileSync("index.html", "utf8").replace('href="/main.css"', `href="/${css}"`).replace('src="/main.js"', `src="/${js}"`)
  .replace('src="/boot.js"', `src="/${bootJs}"`);
if (!html.includes(js) || !html.includes(css) || !html.includes(bootJs)) throw new Error("build: index.html does not name /main.js, /main.css and /boot.js");
writeFileSync("dist/index.html", html);
for (const f of readdirSync("dist")) {
  if (!/\.(js|css|html|json|svg)$/.test(f)) continue;
  const data = readFileSync(`dist/${f}`);
  writeFileSync(`dist/${f}.br`, brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  writeFileSync(`dist/${f}.gz`, gzipSync(data, { level: 9 }));
}
