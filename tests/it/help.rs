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
    (&["serve"], &[0, 2, 3]),
    (&["report"], &[0, 1, 2]),
    (&["explain"], &[0, 2]),
    (&["completions"], &[0, 2]),
    (&["man"], &[0]),
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
