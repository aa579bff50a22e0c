#!/usr/bin/env node
// Trunk post_build hook: writes dist/widget.js from loader/widget.js with the hashed glue and
// wasm names and the minified stylesheet filled in, and minifies the loader and the glue
// (Trunk 0.21 does not minify JS). In release builds it also drops dead wasm exports (below).
// Runs in Trunk's staging directory before it becomes dist/.
import { readFileSync, writeFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const root = process.env.TRUNK_SOURCE_DIR || join(dirname(fileURLToPath(import.meta.url)), "..");
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error("run me as a Trunk post_build hook (TRUNK_STAGING_DIR is unset)");
const release = process.env.TRUNK_PROFILE === "release";

const files = readdirSync(staging);
const glue = files.find((f) => /^feedframe-widget(-[0-9a-f]{1,16})?\.js$/.test(f));
const wasm = files.find((f) => /^feedframe-widget(-[0-9a-f]{1,16})?_bg\.wasm$/.test(f));
if (!glue || !wasm) throw new Error(`glue or wasm missing in ${staging}: ${files.join(", ")}`);

// The reserve box's rules: style/widget.css up to its marker (one stylesheet, one source).
const MARKER = "/* --- end of the loader's reserve box --- */";
const stylesheet = readFileSync(join(root, "style/widget.css"), "utf8");
if (!stylesheet.includes(MARKER)) throw new Error(`style/widget.css lacks the marker ${MARKER}`);
const css = stylesheet.slice(0, stylesheet.indexOf(MARKER))
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/\s+/g, " ")
  .replace(/\s*([{};>])\s*/g, "$1")
  .replace(/;}/g, "}")
  .trim();

// Class names from their one definition, src/class.rs.
const classes = readFileSync(join(root, "src/class.rs"), "utf8");
const className = (name) => {
  const m = classes.match(new RegExp(`pub const ${name}: &str = "([a-z-]+)";`));
  if (!m) throw new Error(`src/class.rs has no ${name}`);
  return m[1];
};

const fill = (source, placeholder, value) => {
  const quoted = JSON.stringify(placeholder);
  if (!source.includes(quoted)) throw new Error(`placeholder ${placeholder} not found in loader/widget.js`);
  return source.replace(quoted, () => JSON.stringify(value));
};
let loader = readFileSync(join(root, "loader/widget.js"), "utf8");
loader = fill(loader, "__FEEDFRAME_GLUE__", glue);
loader = fill(loader, "__FEEDFRAME_WASM__", wasm);
loader = fill(loader, "__FEEDFRAME_RESERVE_CSS__", css);
loader = fill(loader, "__FEEDFRAME_ROOT__", className("ROOT"));
loader = fill(loader, "__FEEDFRAME_RESERVE__", className("RESERVE"));

const terse = async (code, module) =>
  (await minify(code, { module, ecma: 2020, compress: { passes: 2 }, format: { comments: /^!/ } })).code;

// Leptos always depends on server_fn, whose wasm-streams types are #[wasm_bindgen] exports: the
// linker keeps them (about 6 KB raw, 1.4 KB brotli) though nothing can call them. binaryen's
// metadce removes those exports and the code only they reach; the glue's classes for them are
// never instantiated. Binaryen from node_modules, never Debian's (see the README).
const dropDeadExports = (path) => {
  const bin = (tool) => join(root, "node_modules/.bin", tool);
  const dead = /^(__wbg_)?intounderlying/;
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(path))).map((e) => e.name);
  const graph = exports.filter((name) => !dead.test(name)).map((name) => ({ name, root: true, export: name }));
  if (graph.length === exports.length) return;
  const dir = mkdtempSync(join(tmpdir(), "feedframe-"));
  try {
    writeFileSync(join(dir, "graph.json"), JSON.stringify(graph));
    execFileSync(bin("wasm-metadce"), [path, "--graph-file", join(dir, "graph.json"), "-o", path], { stdio: "ignore" });
    execFileSync(bin("wasm-opt"), ["-Oz", path, "-o", path], { stdio: "inherit" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (release) {
  dropDeadExports(join(staging, wasm));
  loader = await terse(loader, false);
  const gluePath = join(staging, glue);
  writeFileSync(gluePath, await terse(readFileSync(gluePath, "utf8"), true));
}
writeFileSync(join(staging, "widget.js"), loader);
console.log(`widget.js -> ${glue}, ${wasm}${release ? " (minified)" : ""}`);
