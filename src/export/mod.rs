//! Export (SPEC §14): "Download a copy" of a workspace, active or in the Recycle Bin, as a zip
//! streamed to the browser: `workspace.json` (the workspace, every asset with its details, its
//! tasks with their schedules) and every node's code under `nodes/<product>/<node name>.<ext>`,
//! its committed versions under `nodes/<product>/<node name>.versions/`.
//!
//! This module holds the archive's naming rules; `service` reads the database in batches and
//! `zip` writes the archive as it goes, so memory stays flat whatever the workspace's size.
use std::collections::HashSet;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod zip;

/// The file extension of a node's code, by node type.
pub fn extension(subtype: &str) -> &'static str {
    match subtype {
        "ODPS SQL" | "Hologres SQL" => "sql",
        // A PAI DLC job's code is the command line that starts it.
        "Shell" | "PAI DLC" => "sh",
        "Python" => "py",
        "PAI Designer" => "json",
        _ => "txt",
    }
}

/// The longest file-name stem kept (in bytes, before escaping); longer names are cut and made
/// unique with the node's id.
const MAX_STEM: usize = 120;

/// `name` as one path segment that every file system and unzip tool takes as it is: letters and
/// digits of any script, `_`, `-`, `.` and spaces stay; every other character (`/`, `\`, `:`,
/// control characters, `%` itself, …) becomes `%XX` per UTF-8 byte, so two different names never
/// escape to the same text. A leading or trailing dot or space is escaped too (no `..`, no hidden
/// files, nothing Windows trims), and an empty name becomes `%00`.
pub fn safe_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let last = name.chars().count().saturating_sub(1);
    for (i, c) in name.chars().enumerate() {
        let edge = i == 0 || i == last;
        let keep =
            c.is_alphanumeric() || matches!(c, '_' | '-') || (!edge && matches!(c, '.' | ' '));
        if keep {
            out.push(c);
        } else {
            let mut bytes = [0u8; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.is_empty() {
        out.push_str("%00");
    }
    // Names Windows reserves for devices (`CON`, `nul.sql`, `COM1` …) cannot be extracted there:
    // their first letter is escaped.
    let device = out
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((device.starts_with("COM") || device.starts_with("LPT"))
            && device.len() == 4
            && device.as_bytes()[3].is_ascii_digit());
    if reserved {
        let first = out.remove(0);
        out.insert_str(0, &format!("%{:02X}", first as u32));
    }
    out
}

/// Hands out the file-name stems of a workspace's nodes, one per node, never the same twice in a
/// folder (compared ignoring letter case, as Windows and macOS do): a second node whose name
/// escapes to a stem already taken gets its id appended (`name~42`).
#[derive(Default)]
pub struct Stems {
    taken: HashSet<String>,
}

impl Stems {
    pub fn claim(&mut self, product: &str, name: &str, id: i64) -> String {
        let mut stem = safe_segment(name);
        if stem.len() > MAX_STEM {
            let mut cut = MAX_STEM;
            while !stem.is_char_boundary(cut) {
                cut -= 1;
            }
            stem.truncate(cut);
            // A cut may leave half an escape; drop it so the stem stays well-formed.
            let from = stem.len().saturating_sub(2);
            if let Some(pos) = stem.as_bytes()[from..].iter().position(|&b| b == b'%') {
                stem.truncate(from + pos);
            }
            stem = format!("{stem}~{id}");
        }
        let key = |s: &str| format!("{product}/{}", s.to_lowercase());
        if !self.taken.insert(key(&stem)) {
            stem = format!("{stem}~{id}");
            self.taken.insert(key(&stem));
        }
        stem
    }
}

/// Where a node's code goes: `nodes/<product>/<stem>.<ext>`.
pub fn code_path(product: &str, stem: &str, subtype: &str) -> String {
    format!(
        "nodes/{}/{stem}.{}",
        safe_segment(product),
        extension(subtype)
    )
}

/// Where a node's committed version `n` goes: `nodes/<product>/<stem>.versions/<n>.<ext>`.
pub fn version_path(product: &str, stem: &str, subtype: &str, n: i64) -> String {
    format!(
        "nodes/{}/{stem}.versions/{n}.{}",
        safe_segment(product),
        extension(subtype)
    )
}

/// The zip's file name: the workspace's name (letters, digits and `_` only, by the naming rules).
pub fn file_name(workspace: &str) -> String {
    format!("{}.zip", safe_segment(workspace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_and_the_extension_follows_the_node_type() {
        assert_eq!(safe_segment("ods_orders"), "ods_orders");
        assert_eq!(safe_segment("日报 v1.2"), "日报 v1.2");
        assert_eq!(
            code_path("DataWorks", "ods_orders", "ODPS SQL"),
            "nodes/DataWorks/ods_orders.sql"
        );
        assert_eq!(code_path("PAI", "f", "PAI Designer"), "nodes/PAI/f.json");
        assert_eq!(extension("Shell"), "sh");
        assert_eq!(extension("Python"), "py");
        assert_eq!(extension("Hologres SQL"), "sql");
        assert_eq!(extension("PAI DLC"), "sh");
        for subtype in crate::assets::AssetKind::Node.subtypes() {
            assert_ne!(
                extension(subtype),
                "txt",
                "{subtype} has no extension of its own"
            );
        }
        assert_eq!(
            version_path("PAI", "f", "Python", 3),
            "nodes/PAI/f.versions/3.py"
        );
        assert_eq!(file_name("sales_dw"), "sales_dw.zip");
    }

    #[test]
    fn no_name_climbs_out_of_its_folder_or_hides() {
        for evil in [
            "../../x",
            "..",
            ".",
            "a/b",
            "a\\b",
            "/etc/passwd",
            "C:x",
            ".hidden",
            "x.",
            " x",
            "",
            "a\0b",
            "%2e%2e",
        ] {
            let s = safe_segment(evil);
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.contains(':') && !s.contains('\0'),
                "{evil:?} -> {s}"
            );
            assert!(
                !s.starts_with('.') && !s.ends_with('.') && !s.starts_with(' '),
                "{evil:?} -> {s}"
            );
            assert!(!s.is_empty());
            assert!(s != ".." && s != ".");
        }
        assert_eq!(safe_segment("../../x"), "%2E.%2F..%2Fx");
        assert_eq!(safe_segment("CON"), "%43ON");
        assert_eq!(safe_segment("nul.backup"), "%6Eul.backup");
        assert_eq!(safe_segment("com1"), "%63om1");
        assert_eq!(safe_segment("console"), "console");
        assert_eq!(safe_segment("COM10"), "COM10");
        // Escaping is one-to-one: the escape of "%2F" is not the escape of "/".
        assert_ne!(safe_segment("%2F"), safe_segment("/"));
    }

    #[test]
    fn two_nodes_never_share_a_file() {
        let mut stems = Stems::default();
        assert_eq!(stems.claim("DataWorks", "daily", 1), "daily");
        assert_eq!(stems.claim("DataWorks", "Daily", 2), "Daily~2");
        assert_eq!(stems.claim("PAI", "daily", 3), "daily");
        assert_eq!(stems.claim("DataWorks", "daily", 4), "daily~4");
        let long = "n".repeat(500);
        let a = stems.claim("PAI", &long, 5);
        let b = stems.claim("PAI", &long, 6);
        assert_ne!(a, b);
        assert!(a.len() < 140);
        let wide = "数".repeat(200);
        assert!(stems.claim("PAI", &wide, 7).ends_with("~7"));
    }
}
