//! NodeKey: a node given by its name or by its [`NodeId`], what [`Tasks`](crate::Tasks) keys bodies by.

use super::NodeId;

/// A node of a graph, given by name or by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeKey {
    /// The node's name: looked up in the graph when the bodies are bound.
    Name(String),
    /// The node's id, as [`GraphBuilder::node`](super::GraphBuilder::node) returned it: no
    /// lookup at all.
    Id(NodeId),
}

/// What can name a node for [`Tasks`](crate::Tasks): everything that converts into a `String`
/// (`&str`, `String`, `&String`...) gives its name, a [`NodeId`] its id.
pub trait IntoNodeKey {
    /// The node this names.
    fn into_node_key(self) -> NodeKey;
}

impl<S: Into<String>> IntoNodeKey for S {
    fn into_node_key(self) -> NodeKey {
        NodeKey::Name(self.into())
    }
}

impl IntoNodeKey for NodeId {
    fn into_node_key(self) -> NodeKey {
        NodeKey::Id(self)
    }
}

impl IntoNodeKey for NodeKey {
    fn into_node_key(self) -> NodeKey {
        self
    }
}
