//! `autoseal templates`.

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> u8 {
    eprintln!("error: `templates` is not built yet");
    crate::common::CANNOT_RUN
}
