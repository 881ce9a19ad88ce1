//! Inputs enumerate blobs; they never match anything. `fs` walks working trees; `git`
//! enumerates history and staged blobs.

pub mod fs;
pub mod git;
