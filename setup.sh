#!/usr/bin/env bash
# Workspace Console: one script for a fresh machine or a warm one.
#   ./setup.sh run     install what is missing, build, run on an embedded SQLite file with demo data
#   ./setup.sh test    install what is missing, build, run every test (unit, database, HTTP, Playwright)
#                      on both engines: SQLite and a PostgreSQL cluster started (and stopped) for the run
#   ./setup.sh api-conformance   the API against its OpenAPI document only (schemathesis; part of `test`)
#   ./setup.sh cluster two instances on one PostgreSQL database with demo data (ports 3000 and 3001)
#   ./setup.sh bench   benchmarks: bytes on the wire against a minimal Leptos app, delete / recover /
#                      purge against bare SQL (SQLite and PostgreSQL), a writer's wait during a large
#                      purge, SSR throughput, server memory through sign-in bursts (prints ratios and
#                      goals); `./setup.sh bench --only GROUP` runs one group
# Every install step is skipped when its tool is already there at the pinned version.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
CARGO_LEPTOS_VERSION=0.3.11
export PATH="$HOME/.cargo/bin:$ROOT/.tools/bin:$ROOT/.tools/node_modules/.bin:$PATH"

# Each step names the time since the script started, so a run's log tells where its minutes went.
say() { printf '\033[1;34m==>\033[0m [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

ensure_rust() {
  if ! command -v rustup >/dev/null; then
    say "installing rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
  fi
  if ! rustup run "$TOOLCHAIN" rustc --print target-list >/dev/null 2>&1 ||
     ! rustup target list --toolchain "$TOOLCHAIN" --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
    say "installing Rust $TOOLCHAIN with the wasm32 target"
    rustup toolchain install "$TOOLCHAIN" --profile minimal --component rustfmt,clippy --target wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if ! cargo-leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads: it uses the tools on PATH; ~15 min on 2 cores)"
    cargo +"$TOOLCHAIN" install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  local wbg
  wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    say "installing wasm-bindgen-cli $wbg (the version in Cargo.lock)"
    cargo +"$TOOLCHAIN" install wasm-bindgen-cli --version "$wbg" --force
  fi
}

ensure_wasm_opt() {
  local npm_wasm_opt=.tools/node_modules/binaryen/bin/wasm-opt
  if [ ! -f "$npm_wasm_opt" ]; then
    say "installing wasm-opt (npm binaryen) into .tools/"
    npm install --prefix .tools --no-audit --no-fund --silent binaryen@132.0.0
  fi
  # npm's wasm-opt is Binaryen compiled to WASM, which Node compiles anew at every start, and
  # cargo-leptos starts it once per file: the main WASM and ~260 split chunks (median 690 bytes).
  # With V8's baseline compiler alone (--liftoff-only) a chunk takes 0.7 s instead of 1.9 s and
  # the output is byte-identical: the build's wasm-opt step took 150 s instead of 367 s (-59%;
  # 2026-12-08, the same 261 files, nothing else running).
  mkdir -p .tools/bin
  printf '#!/bin/sh\nexec node --liftoff-only "%s" "$@"\n' "$ROOT/$npm_wasm_opt" >.tools/bin/wasm-opt
  chmod +x .tools/bin/wasm-opt
}

SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  if ! .tools/schemathesis/bin/schemathesis --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into .tools/schemathesis"
    python3 -m venv .tools/schemathesis
    .tools/schemathesis/bin/pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

# The API against its own OpenAPI document (tests/schemathesis.toml says what is checked and the
# few refusals excused, each with its reason): a release server on a fresh SQLite file with the
# demo data, the root's AccessKey made through the console's own sign-in, then every check.
api_conformance() {
  ensure_schemathesis
  local dir port url pid status=0
  dir=$(mktemp -d /tmp/console-api.XXXXXX)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  DATABASE_URL="sqlite://$dir/console.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
    RUST_LOG=warn target/release/workspace-console --demo >"$dir/server.log" 2>&1 &
  pid=$!
  until curl -fs "$url/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; return 1; }
    sleep 0.1
  done
  curl -fs -c "$dir/jar" -H "Origin: $url" -d username=acme -d password=acme-demo-1 "$url/api/sign_in" >/dev/null
  local key
  key=$(curl -fs -b "$dir/jar" -H "Origin: $url" -X POST "$url/api/create_access_key" |
    python3 -c 'import json, sys; k = json.load(sys.stdin); print(k["id"] + ":" + k["secret"])')
  CONSOLE_API_KEY="$key" NO_PROXY=127.0.0.1 .tools/schemathesis/bin/schemathesis \
    --config-file tests/schemathesis.toml --no-color run --checks all "$url/openapi/v1/openapi.json" || status=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  return "$status"
}

ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    say "installing Chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# The screenshots show the console in 简体中文 too: without a CJK font Chromium draws boxes.
ensure_cjk_fonts() {
  if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    say "installing a Chinese font for the screenshots (Debian package fonts-noto-cjk)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  fi
}

ensure_playwright() {
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing Playwright (npm ci in end2end/)"
    (cd end2end && npm ci --no-audit --no-fund --silent)
  fi
}

# PostgreSQL for the test run: Debian's package, a throwaway cluster owned by the postgres user in a
# temporary folder, listening on loopback only, stopped when the script exits. `start_postgres
# "-c fsync=off ..."` passes extra server settings (the tests skip durability; nothing outlives them).
PG_PORT=${CONSOLE_PG_PORT:-54329}
PG_DIR=""
ensure_postgres_package() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    say "installing PostgreSQL (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  ensure_postgres_package
  local bin; bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/console-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
  trap stop_postgres EXIT
  say "starting a PostgreSQL cluster for this run ($($bin/postgres --version | awk '{print $3}'), 127.0.0.1:$PG_PORT, $PG_DIR)"
  as_postgres "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log"
  as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300 ${1:-}" start >/dev/null
  export CONSOLE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}

build_release() {
  ensure_rust
  ensure_cargo_leptos
  ensure_wasm_opt
  # hash.txt names the current content-hashed WASM, JS and CSS; cargo leptos writes it with them.
  local wasm=target/release/hash.txt bin=target/release/workspace-console
  if [ -f "$wasm" ] && [ -f "$bin" ] &&
     [ -z "$(find src style public migrations Cargo.toml Cargo.lock rust-toolchain.toml .cargo -newer "$wasm" -print -quit)" ] &&
     [ -z "$(find src style public migrations Cargo.toml Cargo.lock rust-toolchain.toml .cargo -newer "$bin" -print -quit)" ]; then
    say "the release build is up to date"
    return
  fi
  say "building the console (release: server binary + WASM split per page, assets precompressed)"
  cargo leptos build --release --precompress --split
  # The splitter keeps every page's statics in the main WASM when it runs out of room to lay them
  # out (see SPLIT_LAYOUT_ROOM in src/lib.rs), and only logs it: the Delete dialog's text must be in
  # its own split file and not in the main WASM.
  local dialog_text="Pre-deletion checks"
  if ! grep -q "$dialog_text" target/site/pkg/split_delete_workspace_dialog.*.wasm ||
     grep -q "$dialog_text" target/site/pkg/workspace-console.*.wasm; then
    echo "the WASM splitter did not keep the Delete dialog's text (\"$dialog_text\") to its own file: if the text moved in src/deletion/ui.rs, update this check; otherwise give SPLIT_LAYOUT_ROOM (src/lib.rs) more bytes" >&2
    exit 1
  fi
}

cmd_run() {
  build_release
  export DATABASE_URL=${DATABASE_URL:-sqlite://data/console.db}
  export LEPTOS_SITE_ADDR=${LEPTOS_SITE_ADDR:-127.0.0.1:3000}
  export LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site}
  echo
  say "Workspace Console: http://$LEPTOS_SITE_ADDR   (database: $DATABASE_URL)"
  echo "    Demo sign-ins (username / password):"
  echo "      acme        / acme-demo-1    root of account acme"
  echo "      alice@acme  / alice-demo-1   RAM user, AliyunDataWorksFullAccess"
  echo "      bob@acme    / bob-demo-1     RAM user, AliyunDataWorksReadOnlyAccess"
  echo "      carol@acme  / carol-demo-1   RAM user, no policy"
  echo "      globex      / globex-demo-1  root of a second account"
  echo "    Stop with Ctrl-C."
  echo
  exec target/release/workspace-console --demo
}

# Every test, one suite after the other (side by side they starve each other of the 2 cores and
# the longest journeys time out): the Rust tests (many test threads: they mostly wait on databases
# and servers), the API against its OpenAPI document, then the Playwright journeys.
cmd_test() {
  build_release
  ensure_chromium
  ensure_playwright
  ensure_schemathesis
  start_postgres "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  say "building the unit, database and HTTP tests"
  cargo test --release --features ssr --lib --test api --test db --no-run
  say "unit, database and HTTP tests on SQLite and PostgreSQL (cargo test)"
  cargo test --release --features ssr --lib --test api --test db -- --test-threads "${CONSOLE_TEST_THREADS:-6}"
  say "the API against its OpenAPI document (schemathesis: every check, fixed seed)"
  api_conformance
  say "end-to-end tests in Chromium (Playwright; the multi-instance journeys on PostgreSQL)"
  playwright_journeys
  say "every test passed"
}

playwright_journeys() {
  (cd end2end && CONSOLE_BIN="$ROOT/target/release/workspace-console" LEPTOS_SITE_ROOT="$ROOT/target/site" npx playwright test)
}

# The Playwright journeys again, each page they visit saved to end2end/screenshots/<name>.png.
cmd_screenshots() {
  build_release
  ensure_chromium
  ensure_cjk_fonts
  ensure_playwright
  start_postgres "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  say "the Playwright journeys, saving a full-page screenshot of each page to end2end/screenshots/"
  CONSOLE_SCREENSHOTS=1 playwright_journeys
}

cmd_cluster() {
  build_release
  PG_PORT=${CONSOLE_PG_PORT:-54330}
  start_postgres
  local db="$CONSOLE_TEST_POSTGRES_URL"
  db="${db%/*}/console"
  as_postgres "$(pg_bin)/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres console
  export LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site}
  local pids=()
  trap 'kill "${pids[@]}" 2>/dev/null; wait; stop_postgres' EXIT
  trap 'exit 0' INT TERM
  DATABASE_URL="$db" LEPTOS_SITE_ADDR=127.0.0.1:3000 target/release/workspace-console --demo &
  pids+=($!)
  until curl -fs http://127.0.0.1:3000/readyz >/dev/null 2>&1; do sleep 0.2; done
  DATABASE_URL="$db" LEPTOS_SITE_ADDR=127.0.0.1:3001 target/release/workspace-console &
  pids+=($!)
  until curl -fs http://127.0.0.1:3001/readyz >/dev/null 2>&1; do sleep 0.2; done
  echo
  say "Two instances of Workspace Console on one PostgreSQL database ($db):"
  echo "      http://127.0.0.1:3000   and   http://127.0.0.1:3001"
  echo "    Sign in on one (acme / acme-demo-1), open the other: same session, same data."
  echo "    Stop both (and the database) with Ctrl-C."
  wait
}

# The minimal Leptos app bytes-on-the-wire compares against, built the same way as the console.
build_minimal_leptos() {
  say "building the minimal Leptos app (bench/minimal-leptos) the same way, for bytes-on-the-wire"
  (cd bench/minimal-leptos && cargo leptos build --release --precompress)
}

cmd_bench() {
  build_release   # the memory and throughput benchmarks start the release server
  local only=""
  if [ "${1:-}" = "--only" ]; then only=${2:-}; fi
  if [ -z "$only" ] || [ "$only" = bytes-on-the-wire ]; then
    build_minimal_leptos
    ensure_chromium
    ensure_playwright
    say "bytes-on-the-wire (Playwright in Chromium: the console and the minimal Leptos app)"
    (cd end2end && CONSOLE_BIN="$ROOT/target/release/workspace-console" LEPTOS_SITE_ROOT="$ROOT/target/site" \
      npx playwright test -c bench.config.ts)
    [ "$only" = bytes-on-the-wire ] && return
  fi
  if ! command -v wrk >/dev/null; then
    say "installing wrk (Debian package) for the throughput benchmark"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
  start_postgres
  CONSOLE_BENCH_POSTGRES_URL="$CONSOLE_TEST_POSTGRES_URL" cargo run --release --features ssr --example bench -- "$@"
}

case "${1:-}" in
  run) cmd_run ;;
  test) cmd_test ;;
  screenshots) cmd_screenshots ;;
  api-conformance) build_release; api_conformance ;;
  cluster) cmd_cluster ;;
  bench) shift; cmd_bench "$@" ;;
  *) echo "usage: $0 run|test|screenshots|api-conformance|cluster|bench" >&2; exit 2 ;;
esac
