//! Inputs enumerate blobs; they never match anything. `fs` walks working trees.

pub mod fs;
