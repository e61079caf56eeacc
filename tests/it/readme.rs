//! Issue 15: README's example output is what the commands it shows print today. Each block is run
//! against the lab, as README says, and compared after numbers (times, ports, counts, days) are
//! masked and runs of spaces collapsed: the words, sections, rows and their order must match.

use crate::support::run;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The first fenced block after `marker`.
fn block_after(text: &str, marker: &str) -> String {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("README lost {marker:?}"));
    let rest = &text[at..];
    let start = rest.find("```\n").expect("a fenced block") + 4;
    let end = rest[start..].find("```").expect("the block's end");
    rest[start..start + end].to_string()
}

/// Each number (with its sign and decimals) becomes `#`, spaces collapse, and trailing spaces go.
fn mask(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let mut out = String::new();
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if c.is_ascii_digit() {
                    while chars
                        .peek()
                        .is_some_and(|n| n.is_ascii_digit() || *n == '.')
                    {
                        chars.next();
                    }
                    if out.ends_with('+') || out.ends_with('-') {
                        out.pop();
                    }
                    out.push('#');
                } else if c == ' ' {
                    if !out.ends_with(' ') {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
            out.trim_end().to_string()
        })
        .collect()
}

/// README's first command (`cargo run --release -- probe --mode ipvpn --lab`, here the binary the
/// tests built) prints the block README shows, line for line.
#[test]
fn issue15_readme_first_command_output_is_current() {
    let readme = readme();
    let shown = block_after(&readme, "The first command builds oqs-net");
    assert!(
        readme.contains("cargo run --release -- probe --mode ipvpn --lab"),
        "README's first command changed: update this test with it"
    );
    let (code, out, err) = run(&["probe", "--mode", "ipvpn", "--lab"]);
    assert_eq!(code, 0, "{err}\n{out}");
    assert_eq!(
        mask(&shown),
        mask(&out),
        "README's first block differs from today's output; paste this in:\n{out}"
    );
}

/// README's root-cause example (`probe --mode ipsec --lab --lab-scenario dead-member --lang ja`) is
/// the opening of what that command prints: each of its lines, in order.
#[test]
fn issue15_readme_root_cause_example_is_current() {
    let readme = readme();
    let cmd = "oqs-net probe --mode ipsec --lab --lab-scenario dead-member --lang ja";
    let shown = block_after(&readme, &format!("```\n$ {cmd}\n"));
    let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "{err}\n{out}");
    let got = mask(&out);
    let want = mask(shown.trim_start_matches(&format!("$ {cmd}\n")));
    let mut at = 0;
    for line in &want {
        match got[at..].iter().position(|l| l == line) {
            Some(i) => at += i + 1,
            None => panic!("README's line {line:?} is not (in order) in today's output:\n{out}"),
        }
    }
}
