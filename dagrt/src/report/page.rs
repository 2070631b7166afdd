//! The page: the HTML skeleton with the inline style sheet, the data blob and the script.

/// The style sheet, inlined.
const CSS: &str = include_str!("page.css");
/// The script that draws the page from the data blob, inlined.
const JS: &str = include_str!("page.js");

/// The whole page for the DAG `dag_name`, embedding `json` (already safe inside a `<script>`:
/// see `ReportData::to_embedded_json`).
pub(super) fn html(dag_name: &str, json: &str) -> String {
    let mut out = String::with_capacity(json.len() + CSS.len() + JS.len() + 2048);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>");
    push_escaped(&mut out, dag_name);
    out.push_str(" — dag run report</title>\n<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body data-rendered=\"pending\">\n");
    out.push_str(BODY);
    out.push_str("<script type=\"application/json\" id=\"dag-report-data\">");
    out.push_str(json);
    out.push_str("</script>\n<script>\n");
    out.push_str(JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// The sections the script fills.
const BODY: &str = r#"<header><h1 id="title">dag run report</h1><p id="subtitle"></p></header>
<noscript><p>This report draws itself with JavaScript; please enable it.</p></noscript>
<section><div id="cards" class="cards"></div></section>
<section>
<h2>Tasks by worker</h2>
<div class="legend"><span><i style="background:#4c8fd6"></i>completed</span><span><i style="background:#e8590c"></i>critical path</span><span><i style="background:#d64545"></i>failed</span><span><i style="background:#8fb8de"></i>reused</span><span><i style="background:#1c5fa8"></i>#[each] element</span><span><i style="background:#fff1c2;border:1px solid #e6d28a"></i>idle</span></div>
<p class="hint">Hover a bar for its details; drag across the chart to zoom into a time range, double-click to zoom out.</p>
<div id="gantt-wrap"><canvas id="gantt"></canvas></div>
<div id="tooltip" hidden></div>
</section>
<section>
<h2>DAG</h2>
<div class="legend"><span><i style="background:#d0e4f7;border:1px solid #52606d"></i>completed</span><span><i style="background:#fff;border:2px solid #e8590c"></i>critical path</span><span><i style="background:#f8c9c9;border:1px solid #d64545"></i>failed</span><span><i style="background:#eceff1;border:1px dashed #52606d"></i>skipped</span><span><i style="background:#e9e2fb;border:1px dashed #52606d"></i>cancelled</span></div>
<p id="graph-note" class="note" hidden></p>
<div id="graph-wrap"></div>
</section>
<section id="failures"></section>
<div class="grid">
<section id="critical"></section>
<section id="bottlenecks"></section>
<section id="slack"></section>
<section id="stragglers"></section>
</div>
<section id="idle"></section>
<section id="gaps"></section>
<section id="warnings"></section>
"#;

/// Appends `s` with the characters HTML text gives a meaning escaped.
fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}
