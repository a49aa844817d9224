// Minifies the WASM split loader (`__wasm_split.<hash>.js`) that `cargo leptos build --split`
// writes to the site's /pkg: cargo-leptos minifies the main JS but leaves this one as generated,
// with a comment naming the split modules above each of its ~140 chunks. Rewrites the precompressed
// `.br` and `.gz` copies next to it. The file keeps its (content-hashed) name: the same generated
// loader always minifies to the same bytes.
//
// Usage: node scripts/minify-split-loader.mjs target/site/pkg
import { createRequire } from "node:module";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { minify } = createRequire(join(root, ".tools", "package.json"))("terser");

const pkg = process.argv[2];
const loaders = readdirSync(pkg).filter((f) => /^__wasm_split\..*\.js$/.test(f));
for (const name of loaders) {
  const path = join(pkg, name);
  const source = readFileSync(path, "utf8");
  const { code } = await minify(source, { module: true, compress: true, mangle: true });
  writeFileSync(path, code);
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(code),
      },
    }),
  );
  writeFileSync(`${path}.gz`, gzipSync(code, { level: 9 }));
  console.log(`${name}: ${source.length} -> ${code.length} bytes`);
}
