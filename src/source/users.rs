//! User names through the system's user database (NSS), looked up once per id.

use std::collections::HashMap;

use nix::unistd::{Uid, User};

/// Names for every distinct id; an id without an entry maps to its number,
/// as ps prints it.
pub fn names_for(uids: impl Iterator<Item = u32>) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    for uid in uids {
        names.entry(uid).or_insert_with(|| {
            User::from_uid(Uid::from_raw(uid))
                .ok()
                .flatten()
                .map(|u| u.name)
                .unwrap_or_else(|| uid.to_string())
        });
    }
    names
}

/// The id of a user given by name or by number.
pub fn uid_for_name(name: &str) -> Option<u32> {
    if let Ok(uid) = name.parse::<u32>() {
        return Some(uid);
    }
    User::from_name(name).ok().flatten().map(|u| u.uid.as_raw())
}
