//! Workspace Console: a DataWorks-style console for workspaces, safe deletion and a 14-day Recycle Bin.
#![recursion_limit = "512"]

// `.cargo/config.toml` sets this for every build; a RUSTFLAGS variable would silently replace it.
#[cfg(all(not(erase_components), any(feature = "ssr", feature = "hydrate")))]
compile_error!(
    "built without `--cfg erase_components`: a RUSTFLAGS variable replaces the [build] rustflags of \
     .cargo/config.toml; add `--cfg erase_components` to it"
);

pub mod access_keys;
#[cfg(feature = "ssr")]
pub mod api;
pub mod app;
pub mod assets;
pub mod audit;
#[cfg(feature = "ssr")]
pub mod cli;
pub mod codec;
pub mod deletion;
pub mod dependencies;
pub mod domain;
pub mod error;
pub mod export;
pub mod i18n;
pub mod identity;
pub mod language;
pub mod live;
pub mod notifications;
pub mod operations;
pub mod recycle_bin;
pub mod ui;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod store;

/// Hydrates the page once the WASM chunks of the routes it shows have arrived (the split build
/// loads each page's code lazily), then enables the console's controls (the server sent them
/// disabled: [`app::CONSOLE_FIELDSET_ID`]) and marks `<body data-hydrated="true">` for the tests.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // An Err only means the executor is already running.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    // A page in another language than English brought its texts: read them before hydrating.
    i18n::load_from_page();
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let document = leptos::prelude::document();
        if let Some(console) = document.get_element_by_id(app::CONSOLE_FIELDSET_ID) {
            let _ = console.remove_attribute("disabled");
        }
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// Room for the WASM splitter to lay out the read-only data anew: without it, alignment padding can
/// make the split layout overflow the original data segment, and the splitter then keeps every
/// page's statics in the main WASM ("Overlong segment"; `./setup.sh` stops such a build). Kept by
/// the linker, read by no code; docs/performance.md has what it saves.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_LAYOUT_ROOM: [u8; 4096] = [0x5a; 4096];

/// The layout's one rule (docs/architecture.md): each top-level unit of `src/` uses only the floors
/// below its own, and features use each other one way only. Read from every `crate::` path.
#[cfg(all(test, feature = "ssr"))]
mod floors {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Bottom to top; every other unit is a feature, between `server` and `app`.
    const FLOORS: [&str; 11] = [
        "i18n", "error", "domain", "codec", "store", "ui", "server", "", "app", "api", "startup",
    ];

    fn floor(unit: &str) -> usize {
        FLOORS.iter().position(|f| *f == unit).unwrap_or(7)
    }

    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The units each unit's code names: `crate::x` and `crate::{x, y::z}`.
    fn imports() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut all = Vec::new();
        files(&src, &mut all);
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for path in all {
            let rel = path.strip_prefix(&src).unwrap();
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            if matches!(first.as_ref(), "main.rs" | "lib.rs" | "bin") {
                continue;
            }
            let unit = first.trim_end_matches(".rs").to_owned();
            let code: String = std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let used = edges.entry(unit.clone()).or_default();
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let mut depth = 0;
                    let end = group
                        .char_indices()
                        .find(|&(_, c)| {
                            depth += match c {
                                '{' => 1,
                                '}' => -1,
                                _ => 0,
                            };
                            depth < 0
                        })
                        .map_or(group.len(), |(i, _)| i);
                    let mut tops = Vec::new();
                    let (mut depth, mut start) = (0, 0);
                    for (i, c) in group[..end].char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                tops.push(&group[start..i]);
                                start = i + 1;
                            }
                            _ => {}
                        }
                    }
                    tops.push(&group[start..end]);
                    tops
                } else {
                    vec![rest]
                };
                for name in names {
                    let name: String = name
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != unit {
                        used.insert(name);
                    }
                }
            }
        }
        let units: BTreeSet<String> = edges.keys().cloned().collect();
        for used in edges.values_mut() {
            used.retain(|u| units.contains(u));
        }
        edges
    }

    #[test]
    fn every_unit_uses_only_the_floors_below_it() {
        let upward: Vec<String> = imports()
            .iter()
            .flat_map(|(unit, used)| {
                used.iter()
                    .filter(|u| floor(u) > floor(unit))
                    .map(move |u| format!("{unit} uses {u}"))
            })
            .collect();
        assert_eq!(upward, Vec::<String>::new());
    }

    #[test]
    fn features_use_each_other_one_way_only() {
        let edges = imports();
        // Depth-first from each unit: reaching it again is a cycle.
        fn reaches(
            edges: &BTreeMap<String, BTreeSet<String>>,
            from: &str,
            target: &str,
            seen: &mut BTreeSet<String>,
        ) -> bool {
            edges.get(from).into_iter().flatten().any(|next| {
                next == target || (seen.insert(next.clone()) && reaches(edges, next, target, seen))
            })
        }
        let cycles: Vec<&String> = edges
            .keys()
            .filter(|unit| reaches(&edges, unit, unit, &mut BTreeSet::new()))
            .collect();
        assert_eq!(cycles, Vec::<&String>::new());
    }
}
