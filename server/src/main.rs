//! The `nudge` binary: see [`nudge::cli`].

use clap::Parser;

fn main() {
    let cli = nudge::cli::Cli::parse();
    std::process::exit(nudge::cli::run(cli));
}
