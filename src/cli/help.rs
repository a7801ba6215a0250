//! Help and usage errors in the message language.
//!
//! clap writes its help and errors in English. Here the clap command tree is
//! re-labelled from the message catalogue (`help.<command>.<argument>`), and a
//! usage error is rendered from clap's error kind and context through the
//! catalogue (`usage.*`), with hints that fit the command (`usage.hint.*`).
//! `--lang` is found in the raw arguments first, so that even an argument
//! error comes out in the language asked for.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

use crate::i18n::{Catalog, Lang};

/// The embedded message catalogue, for parsing arguments before `--templates`
/// is known (a broken embedded file is caught by the test suite; then keys show).
pub fn embedded_messages(lang: Lang) -> Catalog {
    let mut messages = Catalog::default();
    if let Ok(store) = crate::template::Store::load(None) {
        for (_, f) in store.under("messages") {
            if let Ok(c) = Catalog::parse(&f.origin, &f.text) {
                messages.merge(c);
            }
        }
    }
    messages.with_lang(lang)
}

/// `--lang en` / `--lang=en` anywhere before `--`; otherwise Chinese.
pub fn prescan_lang(args: &[OsString]) -> Lang {
    let mut lang = Lang::Zh;
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let value = match a.as_ref() {
            "--" => break,
            "--lang" => it.next().map(|v| v.to_string()),
            s => s.strip_prefix("--lang=").map(String::from),
        };
        match value.as_deref() {
            Some("en") => lang = Lang::En,
            Some("zh") => lang = Lang::Zh,
            _ => {}
        }
    }
    lang
}

/// `juesuan help check` is `juesuan check --help` (clap's own help subcommand
/// would speak English).
pub fn rewrite_help_subcommand(mut args: Vec<OsString>, names: &[String]) -> Vec<OsString> {
    // The first word that is `help` or a command (skips `--lang en` and the like).
    let first =
        args.iter().skip(1).position(|a| a == "help" || names.iter().any(|n| a == n.as_str())).map(|i| i + 1);
    if let Some(i) = first
        && args[i] == "help"
    {
        args.remove(i);
        let sub = args.get(i).is_some_and(|a| names.iter().any(|n| a == n.as_str()));
        args.insert(if sub { i + 1 } else { i }, "--help".into());
    }
    args
}

/// The command tree with every text taken from the catalogue.
pub fn localize(cmd: Command, msg: &Catalog) -> Command {
    let cmd = label(cmd, "juesuan", msg);
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    subs.into_iter().fold(cmd, |cmd, name| {
        let key = name.clone();
        cmd.mut_subcommand(&name, |s| label(s, &key, msg))
    })
}

fn label(cmd: Command, key: &str, msg: &Catalog) -> Command {
    let known = |k: &str| msg.keys().any(|x| x == k);
    let text = |k: &str| msg.text(k, &[]);
    // Sections are spelled out so their headings come from the catalogue
    // (clap's `{all-args}` would print `Arguments:` / `Options:`).
    let mut template = format!("{{about-with-newline}}\n{}{{usage}}\n\n", text("help.heading.usage"));
    if cmd.get_positionals().next().is_some() {
        template.push_str(&format!("{}\n{{positionals}}\n\n", text("help.heading.arguments")));
    }
    template.push_str(&format!("{}\n{{options}}", text("help.heading.options")));
    if cmd.has_subcommands() {
        template.push_str(&format!("\n\n{}\n{{subcommands}}", text("help.heading.commands")));
    }
    template.push_str("{after-help}");
    let cmd = cmd
        .help_template(template)
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help(text("help.flag.help")));
    // `propagate_version` gives every command the version, so each gets `-V` too.
    let mut cmd = cmd.arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(text("help.flag.version")),
    );
    for (part, k) in [("about", "about"), ("usage", "usage"), ("after", "after")] {
        let k = format!("help.{key}.{k}");
        if !known(&k) {
            continue;
        }
        cmd = match part {
            "about" => cmd.about(text(&k)).long_about(None),
            "usage" => cmd.override_usage(text(&k)),
            _ => cmd.after_help(format!("{}\n\n{}", text(&k), text("help.exit_codes"))).after_long_help(None),
        };
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let k = format!("help.{key}.{id}");
        let help = known(&k).then(|| text(&k));
        cmd = cmd.mut_arg(&id, |a| {
            // clap's `[default: …]` and `[possible values: …]` are English; the help text says them.
            let a = if a.get_action().takes_values() {
                a.hide_default_value(true).hide_possible_values(true)
            } else {
                a
            };
            match help {
                Some(h) => a.help(h).long_help(None),
                None => a,
            }
        });
    }
    cmd
}

fn context_text(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The subcommand the user typed, if any.
fn subcommand_of(args: &[OsString], cmd: &Command) -> Option<String> {
    args.iter().skip(1).map(|a| a.to_string_lossy().to_string()).find(|a| cmd.find_subcommand(a).is_some())
}

/// A usage error (exit 2) in the message language: what is wrong, a hint that
/// fits the command, the usage line, where to read more.
pub fn render_error(e: &clap::Error, cmd: &Command, args: &[OsString], msg: &Catalog) -> String {
    let sub = subcommand_of(args, cmd);
    let key = sub.clone().unwrap_or_else(|| "juesuan".into());
    let ctx = |k| context_text(e, k).unwrap_or_default();
    let arg = ctx(ContextKind::InvalidArg);
    let mut tips = Vec::new();
    let what = match e.kind() {
        ErrorKind::MissingRequiredArgument => msg.text("usage.missing_required", &[("args", &arg)]),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let names: Vec<&str> = cmd.get_subcommands().map(Command::get_name).collect();
            msg.text("usage.missing_subcommand", &[("names", &names.join(", "))])
        }
        ErrorKind::UnknownArgument => {
            let hint = format!("usage.hint.{key}.{arg}");
            if msg.keys().any(|k| k == hint) {
                tips.push(msg.text(&hint, &[]));
            } else if let Some(s) = context_text(e, ContextKind::SuggestedArg) {
                tips.push(msg.text("usage.did_you_mean", &[("suggested", &s)]));
            }
            msg.text("usage.unknown_argument", &[("arg", &arg)])
        }
        ErrorKind::InvalidSubcommand => {
            let name = ctx(ContextKind::InvalidSubcommand);
            if let Some(s) = context_text(e, ContextKind::SuggestedSubcommand) {
                tips.push(msg.text("usage.did_you_mean", &[("suggested", &s)]));
            }
            msg.text("usage.unknown_subcommand", &[("name", &name)])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = ctx(ContextKind::InvalidValue);
            let mut line = msg.text("usage.invalid_value", &[("arg", &arg), ("value", &value)]);
            if let Some(v) = context_text(e, ContextKind::ValidValue) {
                line.push_str(&msg.text("usage.possible_values", &[("values", &v)]));
            } else if let Some(h) = arg_help(cmd, sub.as_deref(), &arg) {
                // The argument's own (translated) help says what it takes.
                line.push_str(&msg.text("usage.value_detail", &[("detail", &h)]));
            }
            if value.is_empty() && e.kind() == ErrorKind::InvalidValue {
                line = msg.text("usage.value_missing", &[("arg", &arg)]);
            }
            let hint = format!("usage.hint.{key}.{}", arg.split_whitespace().next().unwrap_or(""));
            if msg.keys().any(|k| k == hint) {
                tips.push(msg.text(&hint, &[]));
            }
            line
        }
        ErrorKind::ArgumentConflict => {
            let prior = ctx(ContextKind::PriorArg);
            if prior == arg || prior.is_empty() {
                msg.text("usage.repeated", &[("arg", &arg)])
            } else {
                msg.text("usage.conflict", &[("arg", &arg), ("prior", &prior)])
            }
        }
        _ => {
            let raw = e.render().to_string();
            let first = raw.lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
            msg.text("usage.other", &[("detail", &first)])
        }
    };
    let usage = format!("help.{key}.usage");
    let command = sub.map_or_else(|| "juesuan".to_string(), |s| format!("juesuan {s}"));
    let mut out = msg.text("console.fatal", &[("message", &what)]);
    for t in tips {
        out.push_str("\n\n");
        out.push_str(&msg.text("usage.tip", &[("tip", &t)]));
    }
    out.push_str(&format!("\n\n{}{}\n\n", msg.text("help.heading.usage", &[]), msg.text(&usage, &[])));
    out.push_str(&msg.text("usage.more", &[("command", &command)]));
    out
}

/// The help text of `--name` (from `--name <VALUE>`) in the subcommand.
fn arg_help(cmd: &Command, sub: Option<&str>, shown: &str) -> Option<String> {
    let long = shown.split_whitespace().next()?.trim_start_matches('-');
    let c = sub.and_then(|s| cmd.find_subcommand(s)).unwrap_or(cmd);
    c.get_arguments()
        .chain(cmd.get_arguments())
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_help().map(ToString::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `help.*` key the command tree asks for, for the test that they all exist.
    fn wanted_keys(cmd: &Command) -> Vec<String> {
        let mut out = Vec::new();
        let mut walk = |c: &Command, key: &str| {
            out.push(format!("help.{key}.about"));
            out.push(format!("help.{key}.usage"));
            out.push(format!("help.{key}.after"));
            for a in c.get_arguments().filter(|a| !matches!(a.get_id().as_str(), "help" | "version")) {
                out.push(format!("help.{key}.{}", a.get_id()));
            }
        };
        walk(cmd, "juesuan");
        for s in cmd.get_subcommands() {
            walk(s, s.get_name());
        }
        // Global arguments are labelled once, on the top level.
        let globals: Vec<String> =
            cmd.get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().to_string()).collect();
        out.retain(|k| {
            let mut parts = k.splitn(3, '.');
            let (_, cmd_key, id) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            cmd_key == "juesuan" || !globals.iter().any(|g| g == id)
        });
        out
    }

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn lang_is_found_before_parsing() {
        assert_eq!(prescan_lang(&os(&["juesuan", "check", "--lang", "en"])), Lang::En);
        assert_eq!(prescan_lang(&os(&["juesuan", "--lang=en", "check"])), Lang::En);
        assert_eq!(prescan_lang(&os(&["juesuan", "check", "--", "--lang", "en"])), Lang::Zh);
        assert_eq!(prescan_lang(&os(&["juesuan", "check"])), Lang::Zh);
    }

    /// Every command and argument has its help in the catalogue, in both languages:
    /// an argument added without one would show English in Chinese help.
    #[test]
    fn every_argument_has_catalogue_help() {
        use clap::CommandFactory;
        let msg = embedded_messages(Lang::Zh);
        let missing: Vec<String> = wanted_keys(&crate::cli::Cli::command())
            .into_iter()
            .filter(|k| !msg.keys().any(|x| x == k))
            .collect();
        assert!(missing.is_empty(), "add to templates/messages_officer.toml: {missing:?}");
    }

    #[test]
    fn help_subcommand_becomes_a_flag() {
        let names = vec!["check".to_string()];
        assert_eq!(
            rewrite_help_subcommand(os(&["j", "help", "check"]), &names),
            os(&["j", "check", "--help"])
        );
        assert_eq!(rewrite_help_subcommand(os(&["j", "help"]), &names), os(&["j", "--help"]));
        assert_eq!(rewrite_help_subcommand(os(&["j", "check", "x"]), &names), os(&["j", "check", "x"]));
        assert_eq!(rewrite_help_subcommand(os(&["j", "check", "help"]), &names), os(&["j", "check", "help"]));
        assert_eq!(
            rewrite_help_subcommand(os(&["j", "--lang", "en", "help", "check"]), &names),
            os(&["j", "--lang", "en", "check", "--help"])
        );
    }
}
