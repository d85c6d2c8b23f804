//! The state of the live view, and what each key does to it. Changes to
//! processes (renice, signals) go through `control`; the rest changes
//! what is shown.

use std::collections::VecDeque;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::analysis::columns::{self, Request};
use crate::analysis::kinship::Kinship;
use crate::analysis::topcols::{TopColumn, TopField, TopRow};
use crate::analysis::topframe::Frame;
use crate::analysis::topview::{self, UserFilter, View};
use crate::analysis::{psfmt, signals};
use crate::control::{renice, signal};
use crate::model::{Needs, Snapshot, StatusNeed, ThreadNeed};
use crate::render::show::{self, Facts};
use crate::render::Style;
use crate::source::{self, ProcReader};
use crate::sys::time::strftime;

/// How many lines the event log keeps.
const LOG_LINES: usize = 1000;

/// What the view shows in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Main,
    Help,
    /// One process in full, scrolled down by `scroll` lines.
    Details {
        lines: Vec<String>,
        scroll: usize,
    },
}

/// A question on the prompt line, and what the answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    Delay,
    User,
    Filter,
    KillPid { default: Option<i32> },
    KillSignal { target: Target },
    RenicePid { default: Option<i32> },
    ReniceValue { target: Target },
}

/// A process named by its PID and start time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub pid: i32,
    pub starttime: u64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub ask: Ask,
    pub text: String,
}

impl Prompt {
    /// The question as the prompt line shows it.
    pub fn question(&self, delay: f64) -> String {
        match &self.ask {
            Ask::Delay => format!("Change delay from {delay:.1} to"),
            Ask::User => "Which user (blank for all, !USER for all but)".into(),
            Ask::Filter => "Add filter ([!]FIELD=VALUE, FIELD<VALUE, FIELD>VALUE)".into(),
            Ask::KillPid { default } => match default {
                Some(pid) => format!("PID to signal/kill [default pid = {pid}]"),
                None => "PID to signal/kill".into(),
            },
            Ask::KillSignal { target } => {
                format!(
                    "Send pid {} ({}) signal [15/sigterm]",
                    target.pid, target.name
                )
            }
            Ask::RenicePid { default } => match default {
                Some(pid) => format!("PID to renice [default pid = {pid}]"),
                None => "PID to renice".into(),
            },
            Ask::ReniceValue { target } => {
                format!("Renice PID {} ({}) to value", target.pid, target.name)
            }
        }
    }
}

/// What the loop around the view must do after a key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Nothing,
    Quit,
    /// Read a frame now.
    Refresh,
    /// A new delay between frames.
    Delay(f64),
    /// The view changed what it shows: tell the reader what to read.
    Reconfigure,
}

pub struct App {
    pub view: View,
    pub delay: f64,
    pub frame: Option<Box<Frame>>,
    pub screen: Screen,
    pub prompt: Option<Prompt>,
    /// The last outcome (a renice, a signal, an error), on the prompt line.
    pub message: Option<String>,
    pub events_shown: bool,
    pub log: VecDeque<String>,
    /// The selected row: its place, and the process it held.
    pub cursor: usize,
    pub selected: Option<(i32, u64)>,
    /// The first row on the screen, and how many fit (set when drawn).
    pub offset: usize,
    pub page: usize,
    pub utf8: bool,
    pub color: bool,
    pub frames: u64,
    reader: Option<ProcReader>,
}

/// A user filter as typed: `USER` or `!USER`, by name or number.
pub fn user_filter(text: &str) -> Result<UserFilter, String> {
    let (negate, name) = match text.trim().strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, text.trim()),
    };
    source::uid_for_name(name)
        .map(|uid| UserFilter { uid, negate })
        .ok_or_else(|| format!("unknown user '{name}'"))
}

impl App {
    /// `reader`: the /proc to read a process in full from (Enter), and
    /// to check a process is still the one shown before it is changed.
    pub fn new(view: View, delay: f64, reader: Option<ProcReader>, utf8: bool, color: bool) -> App {
        App {
            view,
            delay,
            frame: None,
            screen: Screen::Main,
            prompt: None,
            message: None,
            events_shown: false,
            log: VecDeque::new(),
            cursor: 0,
            selected: None,
            offset: 0,
            page: 1,
            utf8,
            color,
            frames: 0,
            reader,
        }
    }

    /// Whether ps keywords are shown whose values need each task's verdict.
    pub fn wants_kinds(&self) -> bool {
        self.view
            .columns
            .iter()
            .any(|c| matches!(c, TopColumn::Ps(_)))
    }

    /// A new frame: its events go to the log, the selection follows its
    /// process.
    pub fn take(&mut self, frame: Box<Frame>) {
        for event in &frame.diff.events {
            self.log.push_back(format!(
                "{} {}",
                strftime(event.time, "%H:%M:%S"),
                event.message(self.utf8)
            ));
        }
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
        self.frame = Some(frame);
        self.frames += 1;
        self.follow_selection();
    }

    /// The rows as shown, in order.
    pub fn rows(&self) -> Vec<TopRow<'_>> {
        match &self.frame {
            Some(frame) => {
                let cx = frame.context(self.utf8, self.view.full_command);
                self.view.arrange(frame.rows(), &cx)
            }
            None => Vec::new(),
        }
    }

    /// Each row's process, in the order shown.
    fn row_ids(&self) -> Vec<(i32, u64)> {
        self.rows()
            .iter()
            .map(|r| (r.task.pid, r.task.stat.starttime))
            .collect()
    }

    fn follow_selection(&mut self) {
        let ids = self.row_ids();
        if let Some(at) = self
            .selected
            .and_then(|wanted| ids.iter().position(|&id| id == wanted))
        {
            self.cursor = at;
        }
        self.cursor = self.cursor.min(ids.len().saturating_sub(1));
        self.selected = ids.get(self.cursor).copied();
    }

    fn move_cursor(&mut self, to: usize) {
        let ids = self.row_ids();
        self.cursor = to.min(ids.len().saturating_sub(1));
        self.selected = ids.get(self.cursor).copied();
    }

    /// The selected process, named.
    fn selected_target(&self) -> Option<Target> {
        let rows = self.rows();
        rows.get(self.cursor).filter(|r| !r.gone).map(|r| Target {
            pid: r.task.pid,
            starttime: r.task.stat.starttime,
            name: psfmt::comm(&r.task.stat.comm, self.utf8),
        })
    }

    /// The process of this PID: the one in the frame shown, or (started
    /// since) the one that has the PID now.
    fn target(&self, pid: i32) -> Option<Target> {
        let named = |t: &crate::model::Task| Target {
            pid,
            starttime: t.stat.starttime,
            name: psfmt::comm(&t.stat.comm, self.utf8),
        };
        let shown = self
            .frame
            .as_ref()
            .and_then(|f| f.tasks().iter().find(|t| t.pid == pid).map(named));
        shown.or_else(|| {
            self.reader
                .as_ref()?
                .process(pid, Needs::default())
                .as_ref()
                .map(named)
        })
    }

    /// A process's start time now, or `None` when it is gone.
    fn start_of(&self, pid: i32) -> Option<u64> {
        self.reader
            .as_ref()?
            .process(pid, Needs::default())
            .map(|t| t.stat.starttime)
    }

    pub fn key(&mut self, key: KeyEvent) -> Action {
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        if ctrl_c {
            return Action::Quit;
        }
        if self.prompt.is_some() {
            return self.prompt_key(key);
        }
        match &mut self.screen {
            Screen::Help => {
                self.screen = Screen::Main;
                return Action::Nothing;
            }
            Screen::Details { lines, scroll } => {
                let last = lines.len().saturating_sub(1);
                match key.code {
                    KeyCode::Down => *scroll = (*scroll + 1).min(last),
                    KeyCode::Up => *scroll = scroll.saturating_sub(1),
                    KeyCode::PageDown => *scroll = (*scroll + 10).min(last),
                    KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                    _ => self.screen = Screen::Main,
                }
                return Action::Nothing;
            }
            Screen::Main => {}
        }
        self.message = None;
        let page = self.page.max(1);
        match key.code {
            KeyCode::Char('q') => return Action::Quit,
            KeyCode::Char('h' | '?') => self.screen = Screen::Help,
            KeyCode::Char(' ') => return Action::Refresh,
            KeyCode::Char('d' | 's') => self.ask(Ask::Delay),
            KeyCode::Char('P') => self.view.sort_by(TopField::Cpu),
            KeyCode::Char('M') => self.view.sort_by(TopField::Mem),
            KeyCode::Char('T') => self.view.sort_by(TopField::Time),
            KeyCode::Char('N') => self.view.sort_by(TopField::Pid),
            KeyCode::Char('<') => self.view.move_sort(false),
            KeyCode::Char('>') => self.view.move_sort(true),
            KeyCode::Char('R') => self.view.descending = !self.view.descending,
            KeyCode::Char('V') => self.view.tree = !self.view.tree,
            KeyCode::Char('H') => {
                self.view.threads = !self.view.threads;
                self.message = Some(format!(
                    "Show threads {}",
                    if self.view.threads { "On" } else { "Off" }
                ));
            }
            KeyCode::Char('c') => self.view.full_command = !self.view.full_command,
            KeyCode::Char('i') => self.view.hide_idle = !self.view.hide_idle,
            KeyCode::Char('1') => self.view.per_cpu = !self.view.per_cpu,
            KeyCode::Char('e') => self.events_shown = !self.events_shown,
            KeyCode::Char('u' | 'U') => self.ask(Ask::User),
            KeyCode::Char('o' | 'O') => self.ask(Ask::Filter),
            KeyCode::Char('=') => {
                self.view.filters.clear();
                self.view.user = None;
            }
            KeyCode::Char('k') => {
                let default = self.selected_target().map(|t| t.pid);
                self.ask(Ask::KillPid { default });
            }
            KeyCode::Char('r') => {
                let default = self.selected_target().map(|t| t.pid);
                self.ask(Ask::RenicePid { default });
            }
            KeyCode::Up => self.move_cursor(self.cursor.saturating_sub(1)),
            KeyCode::Down => self.move_cursor(self.cursor + 1),
            KeyCode::PageUp => self.move_cursor(self.cursor.saturating_sub(page)),
            KeyCode::PageDown => self.move_cursor(self.cursor + page),
            KeyCode::Home => self.move_cursor(0),
            KeyCode::End => self.move_cursor(usize::MAX),
            KeyCode::Enter => self.open_details(),
            _ => return Action::Nothing,
        }
        Action::Reconfigure
    }

    fn ask(&mut self, ask: Ask) {
        self.prompt = Some(Prompt {
            ask,
            text: String::new(),
        });
    }

    fn prompt_key(&mut self, key: KeyEvent) -> Action {
        let Some(prompt) = self.prompt.as_mut() else {
            return Action::Nothing;
        };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Backspace => {
                prompt.text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                prompt.text.push(c);
            }
            KeyCode::Enter => {
                let answered = self.prompt.take();
                if let Some(p) = answered {
                    return self.answer(p.ask, p.text.trim());
                }
            }
            _ => {}
        }
        Action::Nothing
    }

    /// Acts on an answer to a prompt.
    fn answer(&mut self, ask: Ask, text: &str) -> Action {
        match ask {
            Ask::Delay => match text.replace(',', ".").parse::<f64>() {
                Ok(d) if d.is_finite() && d >= 0.0 => {
                    self.delay = d;
                    return Action::Delay(d);
                }
                _ if text.is_empty() => {}
                _ => self.message = Some(format!("'{text}' is not a number of seconds")),
            },
            Ask::User => {
                if text.is_empty() {
                    self.view.user = None;
                } else {
                    match user_filter(text) {
                        Ok(user) => self.view.user = Some(user),
                        Err(why) => self.message = Some(why),
                    }
                }
                return Action::Reconfigure;
            }
            Ask::Filter => {
                if text.is_empty() {
                    return Action::Nothing;
                }
                match topview::parse_filter(text) {
                    Ok(filter) => self.view.filters.push(filter),
                    Err(why) => self.message = Some(why),
                }
                return Action::Reconfigure;
            }
            Ask::KillPid { default } | Ask::RenicePid { default } => {
                let renice = matches!(ask, Ask::RenicePid { .. });
                let pid = if text.is_empty() {
                    default
                } else {
                    text.parse::<i32>().ok()
                };
                match pid.and_then(|p| self.target(p)) {
                    Some(target) if renice => self.ask(Ask::ReniceValue { target }),
                    Some(target) => self.ask(Ask::KillSignal { target }),
                    None if text.is_empty() && default.is_none() => {}
                    None => self.message = Some(format!("no such process: {text}")),
                }
            }
            Ask::KillSignal { target } => {
                let wanted = if text.is_empty() { "15" } else { text };
                let Some(number) = signals::number(wanted) else {
                    self.message = Some(format!("'{wanted}' is not a signal"));
                    return Action::Nothing;
                };
                let sent = signal::send(target.pid, target.starttime, number, |p| self.start_of(p));
                self.message = Some(match sent {
                    Ok(()) => format!(
                        "sent SIG{} to {} {}",
                        signals::name(number),
                        target.pid,
                        target.name
                    ),
                    Err(why) => format!("kill {} {}: {why}", target.pid, target.name),
                });
                return Action::Refresh;
            }
            Ask::ReniceValue { target } => {
                let Ok(value) = text.parse::<i32>() else {
                    if !text.is_empty() {
                        self.message = Some(format!("'{text}' is not a nice value"));
                    }
                    return Action::Nothing;
                };
                self.message = Some(self.renice(&target, value));
                return Action::Refresh;
            }
        }
        Action::Nothing
    }

    /// Renices a process if it is still the one shown; the outcome in words.
    fn renice(&self, target: &Target, value: i32) -> String {
        let who = format!("{} {}", target.pid, target.name);
        if self.start_of(target.pid) != Some(target.starttime) {
            return format!("renice {who}: no such process");
        }
        let Ok(id) = u32::try_from(target.pid) else {
            return format!("renice {who}: no such process");
        };
        let outcome = renice::change(
            renice::Which::Process,
            id,
            None,
            Some(target.name.clone().into_bytes()),
            value,
            false,
        );
        match (outcome.error, outcome.old_nice, outcome.new_nice) {
            (Some(why), _, _) => format!("renice {who}: {why}"),
            (None, Some(old), Some(new)) => format!("renice {who}: old nice {old}, new nice {new}"),
            _ => format!("renice {who}: done"),
        }
    }

    /// Enter: the selected process in full, as `pscope show` prints it.
    fn open_details(&mut self) {
        let lines = match self.details() {
            Ok(text) => text.lines().map(str::to_string).collect(),
            Err(why) => {
                self.message = Some(why);
                return;
            }
        };
        self.screen = Screen::Details { lines, scroll: 0 };
    }

    fn details(&self) -> Result<String, String> {
        let target = self.selected_target().ok_or("no process selected")?;
        let frame = self.frame.as_ref().ok_or("no frame yet")?;
        let reader = self.reader.as_ref().ok_or("no /proc to read")?;
        let gone = || format!("process {} has ended", target.pid);
        let needs = columns::needs(Request {
            records: true,
            ..Request::default()
        });
        let full = reader
            .process(
                target.pid,
                Needs {
                    status: StatusNeed::All,
                    ..needs
                },
            )
            .filter(|t| t.stat.starttime == target.starttime)
            .ok_or_else(gone)?;
        let threads = reader.threads(
            &full,
            columns::needs(Request {
                records: true,
                threads: ThreadNeed::Own,
                ..Request::default()
            }),
        );
        let kinship = Kinship::new(&frame.snapshot.tasks);
        let link = |name: &str| {
            reader
                .link(target.pid, name)
                .map(|p| p.to_string_lossy().into_owned())
        };
        let (exe, cwd) = (link("exe"), link("cwd"));
        let ancestry = kinship.ancestors(&full);
        let children: Vec<_> = kinship.children(target.pid).collect();
        let verdict = kinship.verdict(&full);
        let uids = [full.euid(), full.ruid()]
            .into_iter()
            .flatten()
            .chain(threads.iter().filter_map(|t| t.euid()));
        let snapshot = Snapshot {
            system: frame.snapshot.system.clone(),
            tasks: Vec::new(),
            users: source::user_names(uids),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        };
        let facts = Facts {
            task: &full,
            kind: verdict.kind,
            exe: &exe,
            cwd: &cwd,
            ancestry: &ancestry,
            children: &children,
            threads: &threads,
            verdict: &verdict,
        };
        let rows = crate::analysis::values::RowContext::new(&snapshot, self.utf8);
        Ok(show::text(&facts, &rows, &Style::plain()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::topcols::default_columns;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn typed(app: &mut App, text: &str) -> Action {
        for c in text.chars() {
            app.key(key(KeyCode::Char(c)));
        }
        app.key(key(KeyCode::Enter))
    }

    #[test]
    fn keys_change_the_view() {
        let mut app = App::new(View::new(default_columns()), 3.0, None, true, false);
        assert_eq!(app.key(key(KeyCode::Char('M'))), Action::Reconfigure);
        assert!(app.view.sort.is_named("%MEM"));
        app.key(key(KeyCode::Char('R')));
        assert!(!app.view.descending);
        app.key(key(KeyCode::Char('V')));
        assert!(app.view.tree);
        app.key(key(KeyCode::Char('N')));
        assert!(!app.view.tree && app.view.sort.is_named("PID"));
        app.key(key(KeyCode::Char('c')));
        assert!(app.view.needs().cmdline);
        app.key(key(KeyCode::Char('o')));
        assert!(app.prompt.is_some());
        assert_eq!(typed(&mut app, "STAT=Z"), Action::Reconfigure);
        assert_eq!(app.view.filters.len(), 1);
        app.key(key(KeyCode::Char('o')));
        typed(&mut app, "NOPE=1");
        assert_eq!(app.message.as_deref(), Some("'NOPE' is not a column"));
        app.key(key(KeyCode::Char('=')));
        assert!(app.view.filters.is_empty());
        app.key(key(KeyCode::Char('d')));
        assert_eq!(typed(&mut app, "0,5"), Action::Delay(0.5));
        app.key(key(KeyCode::Char('u')));
        typed(&mut app, "root");
        assert_eq!(app.view.user.map(|u| u.uid), Some(0));
        app.key(key(KeyCode::Char('h')));
        assert_eq!(app.screen, Screen::Help);
        app.key(key(KeyCode::Char('x')));
        assert_eq!(app.screen, Screen::Main);
        app.key(key(KeyCode::Char('k')));
        app.key(key(KeyCode::Esc));
        assert!(app.prompt.is_none());
        assert_eq!(app.key(key(KeyCode::Char('q'))), Action::Quit);
        let ctrl_c = KeyEvent {
            modifiers: KeyModifiers::CONTROL,
            ..key(KeyCode::Char('c'))
        };
        assert_eq!(app.key(ctrl_c), Action::Quit);
    }
}
