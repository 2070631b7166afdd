//! Set: `--set name=value`, an input's value parsed from text with its type's `FromStr`.

use super::dags::Chosen;
use crate::task::TaskDescriptor;

/// Gives each input named in `assignments` its parsed value, on `chosen.dag`.
///
/// # Errors
/// The message of the first assignment that names no input of the DAG, an input whose type
/// cannot be parsed from text, a value that does not parse, or an input given twice.
pub(super) fn apply(chosen: &mut Chosen, assignments: &[(String, String)]) -> Result<(), String> {
    for (i, (name, text)) in assignments.iter().enumerate() {
        if assignments[..i].iter().any(|(n, _)| n == name) {
            return Err(format!(
                "`--set {name}=...` is given twice; give each input one value"
            ));
        }
        let d = input(chosen, name, text)?;
        let parser = (d.parse)().ok_or_else(|| {
            format!(
                "`--set {name}={text}`: input `{name}` has type `{}`, which is not `FromStr + Clone`, \
                 so it cannot be set from the command line (give it a value \
                 in code: `Cli::new().dag(Dag::new(..).set::<{name}>(value))`)",
                d.output_type()
            )
        })?;
        let make = parser.parse(text).map_err(|e| {
            format!(
                "`--set {name}={text}`: input `{name}` takes a `{}`, and `{text}` is not one: {e}",
                d.output_type()
            )
        })?;
        chosen.dag.provided.set_made(d, make);
    }
    Ok(())
}

/// The input called `name` (a node name, as `tasks` lists it).
fn input(chosen: &Chosen, name: &str, text: &str) -> Result<&'static TaskDescriptor, String> {
    let spec = &chosen.spec;
    let found = spec
        .graph
        .find(name)
        .map(|n| spec.tasks[n.index()])
        .filter(|d| d.input.is_input());
    found.ok_or_else(|| {
        let inputs: Vec<&str> = spec
            .graph
            .nodes()
            .filter(|n| spec.tasks[n.index()].input.is_input())
            .map(|n| spec.graph.name(n))
            .collect();
        let listed = if inputs.is_empty() {
            "it has no inputs".to_string()
        } else {
            format!("its inputs are: {}", inputs.join(", "))
        };
        format!(
            "`--set {name}={text}`: the DAG `{}` has no input `{name}`; {listed}",
            chosen.name
        )
    })
}
