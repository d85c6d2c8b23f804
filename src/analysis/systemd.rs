//! What systemd would say about a process, read from its cgroup path as
//! libsystemd reads it: the unit, the user unit, the slice, the login
//! session and the owner. ps asks libsystemd; pscope reads the same path.

use super::keywords::Field;

const UNIT_SUFFIXES: &[&str] = &[
    ".service",
    ".socket",
    ".target",
    ".device",
    ".mount",
    ".automount",
    ".swap",
    ".timer",
    ".path",
    ".slice",
    ".scope",
];

/// The path of the systemd hierarchy in /proc/PID/cgroup: the
/// `name=systemd` line where one exists (legacy and hybrid setups), else
/// the unified `0::` line.
fn systemd_path(cgroup: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(cgroup);
    let mut unified = None;
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        if controllers == "name=systemd" {
            return Some(path.to_string());
        }
        if controllers.is_empty() {
            unified = Some(path.to_string());
        }
    }
    unified
}

fn is_unit(name: &str) -> bool {
    UNIT_SUFFIXES
        .iter()
        .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

/// The components of a cgroup path.
fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

/// The innermost slice of the leading run of slices, `-.slice` for none.
fn slice(parts: &[&str]) -> String {
    parts
        .iter()
        .take_while(|c| c.ends_with(".slice"))
        .last()
        .map_or("-.slice".to_string(), |s| s.to_string())
}

/// The first unit after the leading slices.
fn unit<'p>(parts: &[&'p str]) -> Option<&'p str> {
    parts
        .iter()
        .find(|c| !c.ends_with(".slice"))
        .copied()
        .filter(|c| is_unit(c))
}

/// Within a user manager (`user@UID.service`), the first unit after its
/// own slices.
fn user_unit<'p>(parts: &[&'p str]) -> Option<&'p str> {
    let at = parts
        .iter()
        .position(|c| c.starts_with("user@") && c.ends_with(".service"))?;
    unit(&parts[at + 1..])
}

/// ps's value for a systemd keyword, or `None` where libsystemd reports an
/// error (ps prints `-`).
pub fn value(field: Field, cgroup: &[u8]) -> Option<String> {
    let path = systemd_path(cgroup)?;
    let parts = components(&path);
    match field {
        Field::Slice => Some(slice(&parts)),
        Field::Unit => unit(&parts).map(str::to_string),
        Field::Uunit => user_unit(&parts).map(str::to_string),
        Field::Lsession => unit(&parts)
            .and_then(|u| u.strip_prefix("session-")?.strip_suffix(".scope"))
            .map(str::to_string),
        Field::Ouid => {
            let slice = slice(&parts);
            let uid = slice.strip_prefix("user-")?.strip_suffix(".slice")?;
            uid.parse::<u32>().ok().map(|u| u.to_string())
        }
        _ => None,
    }
}

/// The name of the LXC container a process runs in, from its cgroup.
pub fn lxc_name(cgroup: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(cgroup);
    for marker in ["lxc.payload.", "lxc.payload/", "lxc/"] {
        if let Some(line) = text.lines().find(|l| l.contains(marker)) {
            let at = line.rfind(marker)? + marker.len();
            let name: String = line[at..].chars().take_while(|&c| c != '/').collect();
            return (!name.is_empty()).then_some(name);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_slices_come_from_the_systemd_path() {
        let service = b"0::/system.slice/cron.service\n";
        assert_eq!(value(Field::Unit, service).as_deref(), Some("cron.service"));
        assert_eq!(
            value(Field::Slice, service).as_deref(),
            Some("system.slice")
        );
        assert_eq!(value(Field::Uunit, service), None);
        let user = b"0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service\n";
        assert_eq!(
            value(Field::Unit, user).as_deref(),
            Some("user@1000.service")
        );
        assert_eq!(value(Field::Uunit, user).as_deref(), Some("foo.service"));
        assert_eq!(
            value(Field::Slice, user).as_deref(),
            Some("user-1000.slice")
        );
        assert_eq!(value(Field::Ouid, user).as_deref(), Some("1000"));
        let session = b"0::/user.slice/user-1000.slice/session-4.scope\n";
        assert_eq!(value(Field::Lsession, session).as_deref(), Some("4"));
        // Legacy and hybrid setups: the name=systemd hierarchy.
        let root = b"9:name=systemd:/\n1:cpu:/\n0::/\n";
        assert_eq!(value(Field::Slice, root).as_deref(), Some("-.slice"));
        assert_eq!(value(Field::Unit, root), None);
        assert_eq!(value(Field::Unit, b""), None);
    }

    #[test]
    fn lxc_containers_are_named() {
        assert_eq!(
            lxc_name(b"0::/lxc.payload.web1/system.slice\n").as_deref(),
            Some("web1")
        );
        assert_eq!(lxc_name(b"0::/system.slice\n"), None);
    }
}
