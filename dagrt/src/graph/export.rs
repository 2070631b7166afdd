//! Graphviz DOT and Mermaid exports that accept every node name.
//!
//! The escaping rules are documented on the `graph` module (its "Exports" section).

use super::{Graph, NodeId};
use std::fmt::Write;

impl Graph {
    /// The graph in Graphviz DOT syntax, named `name`: a statement `n{id} [label="..."]` per
    /// node (ids as in [`NodeId::index`](super::NodeId::index)), then `n{a} -> n{b}` per edge.
    ///
    /// Every node name is accepted: quotes, backslashes, `&` and newlines are escaped, and
    /// control characters (NUL included, which DOT cannot hold) are shown as their Rust escape
    /// (`\0`, `\t`, `\u{1b}`); see [the table](crate::graph#exports). `name` is
    /// escaped the same way.
    ///
    /// ```
    /// let mut b = dag::graph::Graph::builder();
    /// b.add_nodes(["say \"hi\"", "a\0b"]).add_edge("say \"hi\"", "a\0b");
    /// assert_eq!(
    ///     b.build()?.to_dot("demo"),
    ///     "digraph \"demo\" {\n    rankdir=LR;\n    n0 [label=\"say \\\"hi\\\"\"];\n    \
    ///      n1 [label=\"a\\\\0b\"];\n    n0 -> n1;\n}\n"
    /// );
    /// # Ok::<(), dag::graph::GraphError>(())
    /// ```
    #[must_use]
    pub fn to_dot(&self, name: &str) -> String {
        self.to_dot_marking(name, &|_| false)
    }

    /// [`Graph::to_dot`], drawing the nodes for which `is_input` holds as inputs
    /// (`shape=parallelogram`).
    pub(crate) fn to_dot_marking(&self, name: &str, is_input: &dyn Fn(NodeId) -> bool) -> String {
        let mut out = String::with_capacity(32 + 32 * self.len() + 16 * self.edge_count());
        out.push_str("digraph \"");
        push_dot_label(&mut out, name);
        out.push_str("\" {\n    rankdir=LR;\n");
        for n in self.nodes() {
            let _ = write!(out, "    n{} [label=\"", n.0);
            push_dot_label(&mut out, self.name(n));
            out.push_str(if is_input(n) {
                "\", shape=parallelogram];\n"
            } else {
                "\"];\n"
            });
        }
        for n in self.nodes() {
            for &s in self.successors(n) {
                let _ = writeln!(out, "    n{} -> n{};", n.0, s.0);
            }
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a Mermaid flowchart: `n{id}["..."]` per node, then `n{a} --> n{b}` per
    /// edge.
    ///
    /// Every node name is accepted: the characters Mermaid would read as syntax, entities or
    /// HTML are written as its entity codes (`#quot;`, `#35;`, ...), a newline as `<br>`,
    /// control characters as their Rust escape, and the empty name as `" "` (Mermaid rejects
    /// `[""]`); see [the table](crate::graph#exports).
    ///
    /// Mermaid itself refuses graphs with more than 500 edges unless the page raises
    /// `maxEdges` in `mermaid.initialize` (a site setting a diagram cannot change), and texts
    /// longer than its `maxTextSize` (50,000 characters by default).
    ///
    /// ```
    /// let mut b = dag::graph::Graph::builder();
    /// b.add_nodes(["", "50% <done>"]).add_edge("", "50% <done>");
    /// assert_eq!(
    ///     b.build()?.to_mermaid(),
    ///     "flowchart LR\n    n0[\" \"]\n    n1[\"50#37; #lt;done#gt;\"]\n    n0 --> n1\n"
    /// );
    /// # Ok::<(), dag::graph::GraphError>(())
    /// ```
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        self.to_mermaid_marking(&|_| false)
    }

    /// [`Graph::to_mermaid`], drawing the nodes for which `is_input` holds as inputs (the
    /// parallelogram shape, `n0[/"root"/]`).
    pub(crate) fn to_mermaid_marking(&self, is_input: &dyn Fn(NodeId) -> bool) -> String {
        let mut out = String::with_capacity(16 + 24 * self.len() + 16 * self.edge_count());
        out.push_str("flowchart LR\n");
        for n in self.nodes() {
            let input = is_input(n);
            let _ = write!(out, "    n{}[{}\"", n.0, if input { "/" } else { "" });
            push_mermaid_label(&mut out, self.name(n));
            out.push_str(if input { "\"/]\n" } else { "\"]\n" });
        }
        for n in self.nodes() {
            for &s in self.successors(n) {
                let _ = writeln!(out, "    n{} --> n{}", n.0, s.0);
            }
        }
        out
    }
}

/// Whether `c` is shown as its Rust escape in both exports: a control character other than a
/// newline (NUL cannot be written in DOT; XML, hence SVG, forbids the others), or one of the
/// two non-characters XML forbids.
fn shown_as_escape(c: char) -> bool {
    c != '\n' && (c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// Appends `name` as the inside of a DOT quoted string, for a label (see the module docs).
pub(super) fn push_dot_label(out: &mut String, name: &str) {
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("\\n"),
            c if shown_as_escape(c) => {
                // The escape's backslash must itself be escaped, or Graphviz would read it.
                for e in c.escape_debug() {
                    if e == '\\' {
                        out.push_str("\\\\");
                    } else {
                        out.push(e);
                    }
                }
            }
            c => out.push(c),
        }
    }
}

/// Appends `name` as the inside of a Mermaid quoted label (see the module docs).
pub(super) fn push_mermaid_label(out: &mut String, name: &str) {
    if name.is_empty() {
        out.push(' ');
        return;
    }
    for c in name.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '%' => out.push_str("#37;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            '\n' => out.push_str("<br>"),
            c if shown_as_escape(c) => out.extend(c.escape_debug()),
            c => out.push(c),
        }
    }
}
