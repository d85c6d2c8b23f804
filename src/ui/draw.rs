//! Drawing the live view: top's summary lines, the prompt line, the
//! column header, the rows with the marks of what changed, and over them
//! the help, one process in full, or the event log at the bottom.

use ratatui::layout::{Constraint, Layout as Split, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame as Canvas;

use super::app::{App, Screen};
use crate::analysis::topcols::TopRow;
use crate::render::top::{self as text, Layout};

/// Cells before each row for its mark.
const GUTTER: usize = 2;

/// Lines of the event log when shown.
const LOG_HEIGHT: u16 = 8;

pub fn draw(canvas: &mut Canvas, app: &mut App) {
    let area = canvas.area();
    match &app.screen {
        Screen::Help => help(canvas, area, app),
        Screen::Details { lines, scroll } => {
            let shown: Vec<Line> = lines
                .iter()
                .skip(*scroll)
                .map(|l| Line::raw(l.clone()))
                .collect();
            let title = " process in full (Up/Down to scroll, any other key to go back) ";
            let block = Block::default().borders(Borders::TOP).title(title);
            let paragraph = Paragraph::new(shown)
                .block(block)
                .wrap(Wrap { trim: false });
            canvas.render_widget(paragraph, area);
        }
        Screen::Main => main(canvas, area, app),
    }
}

fn help(canvas: &mut Canvas, area: Rect, app: &App) {
    let mut lines = vec![
        Line::styled(
            format!(
                "pscope top: delay {:.1} s, sorted by {} {}",
                app.delay,
                app.view.sort.header(),
                if app.view.descending {
                    "high to low"
                } else {
                    "low to high"
                }
            ),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::raw(""),
    ];
    lines.extend(text::keys_help().lines().map(|l| Line::raw(l.to_string())));
    lines.push(Line::raw(""));
    lines.push(Line::raw("Any key to go back."));
    canvas.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn main(canvas: &mut Canvas, area: Rect, app: &mut App) {
    let width = usize::from(area.width);
    let summary: Vec<String> = match &app.frame {
        Some(frame) => text::summary(frame, app.view.per_cpu, width),
        None => vec!["top - reading /proc ...".to_string()],
    };
    let log_height = if app.events_shown {
        LOG_HEIGHT.min(area.height / 3)
    } else {
        0
    };
    let [top, prompt, table, log] = Split::vertical([
        Constraint::Length(summary.len() as u16),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(log_height),
    ])
    .areas(area);
    canvas.render_widget(
        Paragraph::new(summary.into_iter().map(Line::raw).collect::<Vec<_>>()),
        top,
    );
    let prompt_line = match (&app.prompt, &app.message) {
        (Some(p), _) => Line::from(vec![
            Span::styled(
                format!("{} ", p.question(app.delay)),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(p.text.clone()),
            Span::styled(" ", Style::default().add_modifier(Modifier::REVERSED)),
        ]),
        (None, Some(m)) => Line::styled(m.clone(), Style::default().add_modifier(Modifier::BOLD)),
        (None, None) => Line::raw(""),
    };
    canvas.render_widget(Paragraph::new(prompt_line), prompt);
    rows(canvas, table, app);
    if log_height > 0 {
        let shown = usize::from(log_height.saturating_sub(1));
        let lines: Vec<Line> = app
            .log
            .iter()
            .skip(app.log.len().saturating_sub(shown))
            .map(|l| Line::raw(l.clone()))
            .collect();
        let block = Block::default().borders(Borders::TOP).title(" events ");
        canvas.render_widget(Paragraph::new(lines).block(block), log);
    }
}

/// The mark before a row, and its style.
fn mark(row: &TopRow, color: bool) -> (char, Style) {
    let m = row.marks;
    let (mark, fg, fallback) = if row.gone {
        ('-', Color::DarkGray, Modifier::DIM | Modifier::CROSSED_OUT)
    } else if m.born {
        ('+', Color::Green, Modifier::BOLD)
    } else if m.old_state.is_some() {
        ('~', Color::Yellow, Modifier::UNDERLINED)
    } else if m.old_parent.is_some() {
        ('^', Color::Magenta, Modifier::UNDERLINED)
    } else if row.task.stat.state == 'Z' {
        (' ', Color::Red, Modifier::empty())
    } else {
        return (' ', Style::default());
    };
    let style = if color {
        let style = Style::default().fg(fg);
        match mark {
            '+' => style.add_modifier(Modifier::BOLD),
            '-' => style.add_modifier(Modifier::CROSSED_OUT),
            _ => style,
        }
    } else {
        Style::default().add_modifier(fallback)
    };
    (mark, style)
}

fn rows(canvas: &mut Canvas, area: Rect, app: &mut App) {
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    let Some(frame) = app.frame.as_ref() else {
        return;
    };
    let cx = frame.context(app.utf8, app.view.full_command);
    let layout = Layout::new(
        &app.view.columns,
        frame.snapshot.system.pid_digits,
        width.saturating_sub(GUTTER),
    );
    let arranged = app.view.arrange(frame.rows(), &cx);
    let page = height.saturating_sub(1).max(1);
    // Keep the selection on the screen.
    let cursor = app.cursor.min(arranged.len().saturating_sub(1));
    let mut offset = app.offset.min(cursor);
    if cursor >= offset + page {
        offset = cursor + 1 - page;
    }
    let mut lines = Vec::with_capacity(page + 1);
    let header = format!("{:GUTTER$}{}", "", layout.header());
    lines.push(Line::styled(
        format!("{header:<width$}"),
        Style::default().add_modifier(Modifier::REVERSED),
    ));
    for (i, row) in arranged.iter().enumerate().skip(offset).take(page) {
        let (m, mut style) = mark(row, app.color);
        if i == cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        let line = format!("{m} {}", layout.row(&app.view.columns, row, &cx));
        lines.push(Line::styled(format!("{line:<width$}"), style));
    }
    canvas.render_widget(Paragraph::new(lines), area);
    app.offset = offset;
    app.page = page;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::changes;
    use crate::analysis::topcols::default_columns;
    use crate::analysis::topframe::Frame;
    use crate::analysis::topview::View;
    use crate::model::{CpuTimes, MemInfo, Snapshot, SystemInfo, SystemSample, Task};
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::Terminal;

    fn task(pid: i32, ppid: i32, comm: &str, state: char, ticks: u64, start: u64) -> Task {
        let mut t = Task {
            pid,
            tgid: pid,
            owner_uid: Some(0),
            shared_pages: Some(400),
            ..Task::default()
        };
        t.stat.ppid = ppid;
        t.stat.comm = comm.as_bytes().to_vec();
        t.stat.state = state;
        t.stat.priority = 20;
        t.stat.num_threads = 1;
        t.stat.utime = ticks;
        t.stat.starttime = start;
        t.stat.vsize = 8_000 * 1024;
        t.stat.rss_pages = 500;
        t
    }

    /// A fixture: init and a shell; a busy loop that was running; a child
    /// born in the interval; one that became a zombie; one adopted by init;
    /// one that exited.
    fn frame() -> Frame {
        let before = vec![
            task(1, 0, "init", 'S', 100, 1),
            task(100, 1, "bash", 'S', 50, 10),
            task(200, 100, "spin", 'R', 1_000, 20),
            task(300, 100, "child", 'S', 5, 30),
            task(400, 250, "orphan", 'S', 5, 40),
            task(500, 100, "done", 'S', 5, 50),
        ];
        let now = vec![
            task(1, 0, "init", 'S', 100, 1),
            task(100, 1, "bash", 'S', 50, 10),
            task(200, 100, "spin", 'R', 1_100, 20),
            task(300, 100, "child", 'Z', 5, 30),
            task(400, 1, "orphan", 'S', 5, 40),
            task(600, 100, "sleep", 'S', 0, 90),
        ];
        let snapshot = Snapshot {
            system: SystemInfo {
                mem_total_kb: 1_000_000,
                ..SystemInfo::default()
            },
            tasks: now,
            users: [(0, "root".to_string())].into(),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        };
        let last = SystemSample {
            uptime: 99.0,
            cpus: vec![CpuTimes::default(); 2],
            ..SystemSample::default()
        };
        let sample = SystemSample {
            uptime: 100.0,
            load: [1.0, 0.5, 0.25],
            cpu: CpuTimes {
                user: 100,
                idle: 100,
                ..CpuTimes::default()
            },
            cpus: vec![CpuTimes::default(); 2],
            memory: MemInfo {
                total: 1_000_000,
                free: 500_000,
                available: 600_000,
                ..MemInfo::default()
            },
            users: 1,
            now: 0,
        };
        Frame::new(
            snapshot,
            sample,
            &last,
            &changes::remember(&before),
            false,
            false,
        )
    }

    fn screen(app: &mut App, width: u16, height: u16) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| draw(f, app)).unwrap();
        terminal.backend().buffer().clone()
    }

    fn lines(buffer: &Buffer) -> Vec<String> {
        let area = buffer.area;
        (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    fn app(color: bool) -> App {
        let mut app = App::new(View::new(default_columns()), 3.0, None, true, color);
        app.take(Box::new(frame()));
        app
    }

    #[test]
    fn the_main_screen_is_tops_with_marks() {
        let mut app = app(true);
        let buffer = screen(&mut app, 80, 16);
        let shown = lines(&buffer);
        let time = shown[0].get(6..14).unwrap_or("").to_string();
        let expected = [
            format!("top - {time} up 1 min,  1 user,  load average: 1.00, 0.50, 0.25"),
            "Tasks:   6 total,   1 running,   4 sleeping,   0 stopped,   1 zombie".into(),
            "%Cpu(s): 50.0 us,  0.0 sy,  0.0 ni, 50.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st"
                .into(),
            "MiB Mem :    976.6 total,    488.3 free,    390.6 used,      0.0 buff/cache".into(),
            "MiB Swap:      0.0 total,      0.0 free,      0.0 used.    585.9 avail Mem".into(),
            String::new(),
            "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND".into(),
            "    200 root      20   0    8000   2000   1600 R 100.0   0.2   0:11.00 spin".into(),
            "      1 root      20   0    8000   2000   1600 S   0.0   0.2   0:01.00 init".into(),
            "    100 root      20   0    8000   2000   1600 S   0.0   0.2   0:00.50 bash".into(),
            "~   300 root      20   0    8000   2000   1600 Z   0.0   0.2   0:00.05 child".into(),
            "^   400 root      20   0    8000   2000   1600 S   0.0   0.2   0:00.05 orphan".into(),
            "+   600 root      20   0    8000   2000   1600 S   0.0   0.2   0:00.00 sleep".into(),
            "-   500 root      20   0       0      0      0 S   0.0   0.0   0:00.05 done".into(),
            String::new(),
            String::new(),
        ];
        assert_eq!(shown, expected);
        // The selection (the first row) is reversed; the marks have colors.
        assert!(buffer[(0, 7)].modifier.contains(Modifier::REVERSED));
        assert!(buffer[(0, 6)].modifier.contains(Modifier::REVERSED));
        assert_eq!(buffer[(0, 8)].fg, Color::Reset);
        assert_eq!(buffer[(0, 10)].fg, Color::Yellow);
        assert_eq!(buffer[(0, 11)].fg, Color::Magenta);
        assert_eq!(buffer[(0, 12)].fg, Color::Green);
        assert!(buffer[(0, 12)].modifier.contains(Modifier::BOLD));
        assert_eq!(buffer[(0, 13)].fg, Color::DarkGray);
        assert!(buffer[(0, 13)].modifier.contains(Modifier::CROSSED_OUT));
    }

    #[test]
    fn the_tree_view_draws_branches() {
        let mut app = app(false);
        app.view.tree = true;
        let shown = lines(&screen(&mut app, 100, 16));
        let commands: Vec<&str> = shown[7..14].iter().map(|l| &l[71..]).collect();
        // The child that exited shows under its parent once more.
        assert_eq!(
            commands,
            [
                "init",
                " `- bash",
                "     `- spin",
                "     `- child",
                "     `- done",
                "     `- sleep",
                " `- orphan",
            ]
        );
    }

    #[test]
    fn without_color_marks_are_modifiers_and_the_log_shows_events() {
        let mut app = app(false);
        app.events_shown = true;
        let buffer = screen(&mut app, 80, 24);
        assert!(buffer[(0, 12)].modifier.contains(Modifier::BOLD));
        assert_eq!(buffer[(0, 12)].fg, Color::Reset);
        assert!(buffer[(0, 13)].modifier.contains(Modifier::CROSSED_OUT));
        let shown = lines(&buffer);
        let log: Vec<&String> = shown.iter().skip_while(|l| !l.contains("events")).collect();
        assert!(log[1].ends_with("exited 500 done, parent 100"), "{log:?}");
        assert!(log
            .iter()
            .any(|l| l.ends_with("born 600 sleep, parent 100 bash")));
        assert!(log
            .iter()
            .any(|l| l.ends_with("300 child became a zombie, parent 100 has not reaped it")));
        assert!(log
            .iter()
            .any(|l| l.ends_with("400 orphan reparented from 250 to 1")));
    }

    #[test]
    fn help_lists_the_keys() {
        let mut app = app(true);
        app.screen = Screen::Help;
        let shown = lines(&screen(&mut app, 100, 40)).join("\n");
        for key in ["q, Ctrl-C", "P M T N", "Enter", "renice"] {
            assert!(shown.contains(key), "{key}");
        }
    }
}
