//! Issue 15, "one voice": every subcommand's `--help` shows two or three examples and only the
//! exit codes it can return; shell completions and the man page come from the same definitions.

use crate::support::run;

/// Each subcommand, and the exit codes it can return.
const COMMANDS: &[(&[&str], &[u8])] = &[
    (&["probe"], &[0, 1, 2, 3]),
    (&["lab"], &[0, 2, 3]),
    (&["profiles"], &[0, 2]),
    (&["pac"], &[0, 1, 2, 3]),
    (&["cert", "inspect"], &[0, 1, 2, 3]),
    (&["soak"], &[0, 1, 2, 3]),
    (&["accept"], &[0, 1, 2, 3]),
    (&["serve"], &[0, 2, 3]),
    (&["report"], &[0, 1, 2, 3]),
    (&["explain"], &[0, 2]),
    (&["completions"], &[0, 2]),
    (&["man"], &[0, 2, 3]),
];

/// The lines of the block that starts with `title` (up to the next blank line).
fn block<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn issue15_every_subcommand_help_has_examples_and_only_its_exit_codes() {
    for (words, codes) in COMMANDS {
        let mut args = words.to_vec();
        args.push("--help");
        let (code, help, err) = run(&args);
        assert_eq!(code, 0, "{words:?}: {err}");
        let examples = block(&help, "Examples:");
        assert!(
            (2..=3).contains(&examples.len()),
            "{words:?}: {examples:?}\n{help}"
        );
        for e in &examples {
            let cmd = e.trim_start().trim_start_matches("sudo ");
            assert!(
                cmd.starts_with(&format!("oqs-net {}", words.join(" "))),
                "{words:?}: example `{e}` is not of this command"
            );
        }
        let listed: Vec<u8> = block(&help, "Exit codes:")
            .iter()
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(&listed, codes, "{words:?}\n{help}");
    }
}

#[test]
fn issue15_bash_completions_name_every_subcommand() {
    let (code, out, err) = run(&["completions", "bash"]);
    assert_eq!(code, 0, "{err}");
    for sub in oqs_net::cli::command().get_subcommands() {
        assert!(
            out.contains(&format!(
                "oqs__net__subcmd__{}",
                sub.get_name().replace('-', "__")
            )),
            "{} missing from the bash completions",
            sub.get_name()
        );
    }
    let (code, _, _) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error");
}

#[test]
fn issue15_man_page_is_valid_roff() {
    let (code, page, err) = run(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        page.starts_with(".ie") || page.contains(".TH oqs-net 1"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oqs-net.1");
    std::fs::write(&path, &page).unwrap();
    // groff with all warnings: a page it cannot typeset cleanly fails here.
    let out = std::process::Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
        .arg(&path)
        .output()
        .expect("groff (Debian's groff-base)");
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && warnings.is_empty(), "{warnings}");
    let out = std::process::Command::new("groff")
        .args(["-k", "-man", "-Tutf8"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["probe", "soak", "report", "pac", "explain", "Exit codes"] {
        assert!(text.contains(sub), "{sub} not in the man page:\n{text}");
    }
}

/// `man --dir` writes a page for every visible subcommand, nested ones included, each typeset by
/// groff without a warning and naming its own options and exit codes.
#[test]
fn issue15_man_pages_cover_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let (code, out, err) = run(&["man", "--dir", target.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut expected = vec!["oqs-net.1".to_string()];
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("{prefix}-{}", sub.get_name());
            out.push(format!("{name}.1"));
            walk(sub, &name, out);
        }
    }
    walk(&oqs_net::cli::command(), "oqs-net", &mut expected);
    assert!(expected.contains(&"oqs-net-cert-inspect.1".to_string()));
    assert!(expected.len() >= 10, "{expected:?}");
    let listed: Vec<&str> = out.lines().collect();
    assert_eq!(listed.len(), expected.len(), "{out}");
    for page in &expected {
        let path = target.join(page);
        assert!(
            listed.contains(&path.to_str().unwrap()),
            "{page} not listed:\n{out}"
        );
        let check = std::process::Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .expect("groff (Debian's groff-base)");
        let warnings = String::from_utf8_lossy(&check.stderr);
        assert!(
            check.status.success() && warnings.is_empty(),
            "{page}: {warnings}"
        );
    }
    let typeset = |page: &str| {
        let out = std::process::Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-P-cbou", "-rLL=300n"])
            .arg(target.join(page))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).replace('\u{2010}', "-")
    };
    let probe = typeset("oqs-net-probe.1");
    for word in ["--pfx-password-env", "--deadline", "Exit codes"] {
        assert!(
            probe.contains(word),
            "{word} not in oqs-net-probe.1:\n{probe}"
        );
    }
    let inspect = typeset("oqs-net-cert-inspect.1");
    assert!(inspect.contains("FILE.pfx"), "{inspect}");
    let (code, _, err) = run(&["man", "--dir", "/proc/oqs-net-cannot-write-here"]);
    assert_eq!(
        code, 3,
        "an unwritable directory is the harness failing: {err}"
    );
}

/// README's "Install" commands are ones this oqs-net accepts (completions, man page).
#[test]
fn issue15_readme_install_commands_parse() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let install = &readme[readme
        .find("## Install")
        .expect("README has an Install section")..];
    let install = &install[..install[3..].find("\n## ").map_or(install.len(), |i| i + 3)];
    let mut seen = 0;
    for line in install.lines() {
        let Some(at) = line
            .find("oqs-net completions")
            .or(line.find("oqs-net man"))
        else {
            continue;
        };
        let cmd = line[at..].split(['>', '|', '#']).next().unwrap().trim();
        let words: Vec<&str> = cmd.split_whitespace().collect();
        oqs_net::cli::command()
            .try_get_matches_from(&words)
            .unwrap_or_else(|e| panic!("README's `{cmd}` does not parse: {e}"));
        seen += 1;
    }
    assert!(
        seen >= 2,
        "README's Install names the completions and man commands"
    );
    assert!(
        install.contains("cargo install --locked --path ."),
        "{install}"
    );
}
