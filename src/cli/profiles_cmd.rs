//! `oqs-net profiles`: the shipped profiles, one shown in full, a file validated, or a file shown
//! after inheritance with each value's origin.

use super::{CliError, ProfilesArgs, exit, print};
use crate::profile;

pub fn run(args: ProfilesArgs) -> Result<u8, CliError> {
    if let Some(name) = &args.show {
        if let Some((_, text)) = profile::SHIPPED.iter().find(|(n, _)| n == name) {
            print(text);
            return Ok(exit::OK);
        }
        let path = std::path::Path::new(name);
        if !path.exists() {
            let e = profile::shipped(name).unwrap_err();
            return Err(CliError::Usage(format!("{e}, and no file `{name}`")));
        }
        print(&profile::effective(path)?);
        return Ok(exit::OK);
    }
    if let Some(path) = &args.file {
        let p = profile::load(path)?;
        let fallbacks: Vec<String> = p.dns.fallbacks.iter().map(ToString::to_string).collect();
        print(&format!(
            "{}: valid profile `{}` ({} / {})\n  round robin  {}\n  fallbacks    {}\n  tls          {} endpoint(s): {}\n",
            path.display(),
            p.name,
            p.mode.as_label(),
            p.environment.as_label(),
            p.dns.round_robin,
            if fallbacks.is_empty() {
                "-".to_string()
            } else {
                fallbacks.join(", ")
            },
            p.tls.len(),
            p.tls
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ));
        return Ok(exit::OK);
    }
    let mut out = String::from("Shipped profiles (use --profile NAME, or --mode/--env):\n");
    for (name, _) in profile::SHIPPED {
        let p = profile::shipped(name)?;
        out.push_str(&format!(
            "  {:<27} {:<6} {:<13} {}\n",
            p.name,
            p.mode.as_label(),
            p.environment.as_label(),
            p.description
        ));
    }
    out.push_str(
        "\n`oqs-net profiles --show NAME` prints one; `oqs-net profiles FILE` validates a file, and\n`oqs-net profiles --show FILE` prints it after inheritance, each value with its origin.\n",
    );
    print(&out);
    Ok(exit::OK)
}
