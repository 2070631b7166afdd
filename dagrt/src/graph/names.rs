//! Names: a graph's node names end to end in one string, and their index by name.

use super::NodeId;
use std::fmt;
use std::hash::BuildHasher;

/// Node names stored end to end in one string (name `i` ends at `ends[i]`): adding a name
/// allocates nothing but amortised growth, a clone is two copies, a drop two frees.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    text: String,
    ends: Vec<usize>,
}

impl Names {
    /// Room for `n` names of about eight bytes.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Names {
            text: String::with_capacity(n.saturating_mul(8)),
            ends: Vec::with_capacity(n),
        }
    }

    /// Appends a name (its index is the previous length).
    pub(crate) fn push(&mut self, name: &str) {
        self.text.push_str(name);
        self.ends.push(self.text.len());
    }

    /// Number of names.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no name.
    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every name, in index order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| &self[i])
    }
}

impl std::ops::Index<usize> for Names {
    type Output = str;

    /// Name `i`.
    ///
    /// # Panics
    /// If there are not more than `i` names.
    fn index(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

impl<S: AsRef<str>> FromIterator<S> for Names {
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> Self {
        let names = names.into_iter();
        let mut out = Names::with_capacity(names.size_hint().0);
        for n in names {
            out.push(n.as_ref());
        }
        out
    }
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Node ids hashed by their names. The table holds ids only: each lookup compares against
/// the graph's own [`Names`], so a name is stored once, not twice.
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
    pub(crate) fn over(names: &Names) -> Result<Self, super::GraphError> {
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
    pub(crate) fn insert(&mut self, names: &Names, id: NodeId) -> bool {
        let name: &str = &names[id.index()];
        let hash = self.state.hash_one(name);
        let state = &self.state;
        match self.table.entry(
            hash,
            |&other| names[other.index()] == *name,
            |&other| state.hash_one(&names[other.index()]),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(id);
                true
            }
        }
    }

    /// The node called `name`, given the `names` the index was built over.
    pub(crate) fn get(&self, names: &Names, name: &str) -> Option<NodeId> {
        self.table
            .find(self.state.hash_one(name), |&id| names[id.index()] == *name)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_name_and_refuses_a_second_node_of_the_same_name() {
        let names: Names = ["a", "b", "c", "b"].into_iter().collect();
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

    #[test]
    fn names_keep_every_name_apart_even_empty_ones() {
        let names: Names = ["", "ab", "", "c"].into_iter().collect();
        assert_eq!(names.len(), 4);
        assert_eq!(names.iter().collect::<Vec<_>>(), ["", "ab", "", "c"]);
        assert_eq!(&names[1], "ab");
        assert_eq!(format!("{names:?}"), r#"["", "ab", "", "c"]"#);
        let mut index = NameIndex::with_capacity(4);
        assert!(index.insert(&names, NodeId(0)));
        assert!(!index.insert(&names, NodeId(2)), "two empty names");
    }
}
