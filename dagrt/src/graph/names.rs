//! NameIndex: a graph's node ids by name, the names themselves kept once, in the graph.

use super::NodeId;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Node ids hashed by their names. The table holds ids only: each lookup compares against
/// the graph's own `names`, so a name is stored (and its `Arc` cloned) once, not twice.
#[derive(Clone, Default)]
pub(crate) struct NameIndex {
    table: hashbrown::HashTable<NodeId>,
    state: foldhash::fast::RandomState,
}

impl NameIndex {
    /// An empty index with room for `n` names.
    pub(crate) fn with_capacity(n: usize) -> Self {
        NameIndex {
            table: hashbrown::HashTable::with_capacity(n),
            state: foldhash::fast::RandomState::default(),
        }
    }

    /// The index of `names` (node `i` is `names[i]`); an error for a name given twice.
    pub(crate) fn over(names: &[Arc<str>]) -> Result<Self, super::GraphError> {
        let mut index = NameIndex::with_capacity(names.len());
        for i in 0..names.len() {
            let id = u32::try_from(i).map_err(|_| super::GraphError::TooLarge)?;
            if !index.insert(names, NodeId(id)) {
                return Err(super::GraphError::DuplicateNode {
                    name: names[i].to_string(),
                });
            }
        }
        Ok(index)
    }

    /// Indexes node `id`, whose name is `names[id]`; false (and nothing indexed) when another
    /// node already has that name.
    pub(crate) fn insert(&mut self, names: &[Arc<str>], id: NodeId) -> bool {
        let name: &str = &names[id.index()];
        let hash = self.state.hash_one(name);
        let state = &self.state;
        match self.table.entry(
            hash,
            |&other| *names[other.index()] == *name,
            |&other| state.hash_one(&*names[other.index()]),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(id);
                true
            }
        }
    }

    /// The node called `name`, given the `names` the index was built over.
    pub(crate) fn get(&self, names: &[Arc<str>], name: &str) -> Option<NodeId> {
        self.table
            .find(self.state.hash_one(name), |&id| *names[id.index()] == *name)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_name_and_refuses_a_second_node_of_the_same_name() {
        let names: Vec<Arc<str>> = ["a", "b", "c", "b"].into_iter().map(Arc::from).collect();
        let mut index = NameIndex::with_capacity(1);
        for i in 0..3 {
            assert!(index.insert(&names, NodeId(i)));
        }
        assert!(!index.insert(&names, NodeId(3)), "`b` is taken");
        for (i, n) in ["a", "b", "c"].into_iter().enumerate() {
            assert_eq!(index.get(&names, n), Some(NodeId(i as u32)));
        }
        assert_eq!(index.get(&names, "d"), None);
        assert_eq!(index.get(&names, ""), None);
    }
}
