//! `oqs-net profiles`: the shipped profiles, one shown in full, or a file validated.

use super::{CliError, ProfilesArgs, exit, print};
use crate::profile;

pub fn run(args: ProfilesArgs) -> Result<u8, CliError> {
    if let Some(name) = &args.show {
        let (_, text) = profile::SHIPPED
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| CliError::from(profile::shipped(name).unwrap_err()))?;
        print(text);
        return Ok(exit::OK);
    }
    if let Some(path) = &args.file {
        let p = profile::load(path)?;
        let fallbacks: Vec<String> = p.dns.fallbacks.iter().map(ToString::to_string).collect();
        print(&format!(
            "{}: valid profile `{}` ({} / {})\n  round robin  {}\n  fallbacks    {}\n  tls          {} endpoint(s)\n",
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
        "\n`oqs-net targets --show NAME` prints one; `oqs-net targets FILE` validates a file.\n",
    );
    print(&out);
    Ok(exit::OK)
}
