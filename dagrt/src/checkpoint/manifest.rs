//! The manifest: which DAG, tasks, code hashes and edges a checkpoint belongs to.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Describes the DAG a checkpoint was written for, stored as `manifest.json`.
///
/// Two manifests are *compatible* when they have the same fingerprint: same DAG
/// name and the same set of nodes (node order is irrelevant, predecessor order
/// matters). `==` is structural and also compares node order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The DAG's name.
    pub dag: String,
    /// Its tasks.
    pub nodes: Vec<ManifestNode>,
}

/// One task of a [`Manifest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestNode {
    /// The task's name.
    pub name: String,
    /// Hash of the task's code, as computed by the macro.
    pub code_hash: String,
    /// Full name of the task's output type ([`std::any::type_name`]); empty when the output
    /// is not persisted.
    #[serde(default)]
    pub output_type: String,
    /// Names of the tasks whose outputs it takes, in argument order.
    pub preds: Vec<String>,
}

/// Context string for blake3's key derivation mode.
const FINGERPRINT_CONTEXT: &str = "dag checkpoint manifest v2";

/// At most this many differences are spelled out in a mismatch reason.
const MAX_REASONS: usize = 3;

impl Manifest {
    /// Blake3 hex digest of a canonical encoding: every string length-prefixed,
    /// nodes sorted, predecessors in their given order; names, code hashes, output
    /// types and predecessors all count.
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new_derive_key(FINGERPRINT_CONTEXT);
        let mut put = |s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        put(&self.dag);
        let mut nodes: Vec<&ManifestNode> = self.nodes.iter().collect();
        nodes.sort_by(|a, b| {
            (&a.name, &a.code_hash, &a.output_type, &a.preds).cmp(&(
                &b.name,
                &b.code_hash,
                &b.output_type,
                &b.preds,
            ))
        });
        put(&nodes.len().to_string());
        for node in nodes {
            put(&node.name);
            put(&node.code_hash);
            put(&node.output_type);
            put(&node.preds.len().to_string());
            for pred in &node.preds {
                put(pred);
            }
        }
        h.finalize().to_hex().to_string()
    }
}

/// Explains how `new` differs from the `old` (stored) manifest, or `None` when
/// they are compatible. A different DAG name is reported alone; otherwise
/// changed, added and removed tasks are listed in node order, up to
/// [`MAX_REASONS`] of them.
pub(crate) fn diff(old: &Manifest, new: &Manifest) -> Option<String> {
    if old.fingerprint() == new.fingerprint() {
        return None;
    }
    if old.dag != new.dag {
        return Some(format!("different DAG `{}` vs `{}`", old.dag, new.dag));
    }
    let old_nodes: HashMap<&str, &ManifestNode> =
        old.nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    let new_names: HashSet<&str> = new.nodes.iter().map(|n| n.name.as_str()).collect();
    let mut reasons = Vec::new();
    for node in &new.nodes {
        match old_nodes.get(node.name.as_str()) {
            None => reasons.push(format!("task `{}` was added", node.name)),
            Some(was) => {
                if was.code_hash != node.code_hash {
                    reasons.push(format!(
                        "task `{}` changed (code hash {} → {})",
                        node.name,
                        short(&was.code_hash),
                        short(&node.code_hash)
                    ));
                }
                if was.output_type != node.output_type {
                    reasons.push(format!(
                        "the output type of `{}` changed (`{}` → `{}`)",
                        node.name, was.output_type, node.output_type
                    ));
                }
                if was.preds != node.preds {
                    reasons.push(format!(
                        "the inputs of `{}` changed ({} → {})",
                        node.name,
                        list(&was.preds),
                        list(&node.preds)
                    ));
                }
            }
        }
    }
    for node in &old.nodes {
        if !new_names.contains(node.name.as_str()) {
            reasons.push(format!("task `{}` was removed", node.name));
        }
    }
    if reasons.is_empty() {
        // Only possible with duplicate task names.
        return Some(format!(
            "the task lists differ (manifest fingerprint {} → {})",
            short(&old.fingerprint()),
            short(&new.fingerprint())
        ));
    }
    let more = reasons.len().saturating_sub(MAX_REASONS);
    reasons.truncate(MAX_REASONS);
    let mut reason = reasons.join("; ");
    if more > 0 {
        reason.push_str(&format!("; and {more} more"));
    }
    Some(reason)
}

/// The first 12 characters of a hash, with `…` when cut.
pub(crate) fn short(hash: &str) -> String {
    let mut out: String = hash.chars().take(12).collect();
    if out.len() < hash.len() {
        out.push('…');
    }
    out
}

/// `a, b, c`, or `none`.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
