// Bundles the map into dist/ (embedded into the frontline binary at build
// time). Everything comes from node_modules: no CDN, no tiles.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2022"],
  outdir: "dist",
  loader: { ".css": "css" },
  logLevel: "info",
});
copyFileSync("index.html", "dist/index.html");
