//! Serves a region file on 127.0.0.1 and a given port (0 for a free one), printing
//! `listening on ADDR` once bound; used by `scripts/check-openapi` until `bonifica serve`
//! is wired into the binary. Usage: `cargo run -p bonifica-server --example serve FILE [PORT]`.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: serve FILE [PORT]")?;
    let port: u16 = args.next().map_or(Ok(0), |p| p.parse())?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    bonifica_server::run(&file, None, addr, |bound| {
        println!("listening on {bound}");
        let _ = std::io::stdout().flush();
    })?;
    Ok(())
}
