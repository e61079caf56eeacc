//! `oqs-net profiles`: the shipped profiles, one shown in full, a file validated, or a file shown
//! after inheritance with each value's origin.

use super::{CliError, ProfilesArgs, exit, print};
use crate::{output, profile};

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
    let lang = super::lang(args.lang);
    if let Some(path) = &args.file {
        let p = profile::load(path)?;
        print(&output::profiles::valid(
            &path.display().to_string(),
            &p,
            lang,
        ));
        return Ok(exit::OK);
    }
    let shipped = profile::SHIPPED
        .iter()
        .map(|(name, _)| profile::shipped(name))
        .collect::<Result<Vec<_>, _>>()?;
    print(&output::profiles::list(&shipped, lang));
    Ok(exit::OK)
}
