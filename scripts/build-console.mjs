#!/usr/bin/env node
// Trunk post_build hook of console-ui/: makes the console's wasm-bindgen glue start the wasm when
// it is imported (the console's pages load it as one module script: their CSP allows no inline
// script), minifies it, and names it after its content so the proxy can cache it as immutable.
// Drops Trunk's index.html (the pages come from the proxy). Runs in Trunk's staging directory.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error("run me as a Trunk post_build hook (TRUNK_STAGING_DIR is unset)");
const release = process.env.TRUNK_PROFILE === "release";

const files = readdirSync(staging);
const glue = files.find((f) => /^feedframe-console-ui(-[0-9a-f]{1,16})?\.js$/.test(f));
const wasm = files.find((f) => /^feedframe-console-ui(-[0-9a-f]{1,16})?_bg\.wasm$/.test(f));
if (!glue || !wasm) throw new Error(`glue or wasm missing in ${staging}: ${files.join(", ")}`);

let code = readFileSync(join(staging, glue), "utf8");
if (!code.includes("__wbg_init as default")) throw new Error(`${glue} has no default init export`);
// The wasm's #[wasm_bindgen(start)] hydrates the page once the module is instantiated.
code += `\n__wbg_init({ module_or_path: new URL(${JSON.stringify(wasm)}, import.meta.url) });\n`;
if (release) {
  code = (await minify(code, { module: true, ecma: 2020, compress: { passes: 2 }, format: { comments: /^!/ } })).code;
}
const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
const named = `feedframe-console-ui-${hash}.js`;
rmSync(join(staging, glue));
rmSync(join(staging, "index.html"), { force: true });
writeFileSync(join(staging, named), code);
console.log(`console: ${named} starts ${wasm}${release ? " (minified)" : ""}`);
