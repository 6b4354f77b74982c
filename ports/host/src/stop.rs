//! How the module is told to stop: SIGINT or SIGTERM, and with
//! `--exit-on-stdin-eof` the end of its standard input (a parent that
//! holds the write end of a pipe stops the module by closing it, or by
//! dying). Lines on that stdin are lab controls: `drop IP` makes the
//! module-side address IP silent (see `map::Silent`).

use std::io;

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::{mpsc, oneshot};

use crate::air::Control;
use crate::map::Silent;

/// The ways to stop, waited on together.
pub(crate) struct Stop {
    int: Signal,
    term: Signal,
    stdin: Option<oneshot::Receiver<()>>,
}

impl Stop {
    /// Listens for the signals, and for stdin's end if `stdin_eof` (its
    /// lines' access point controls go to `air`).
    pub(crate) fn new(
        stdin_eof: bool,
        silent: Silent,
        air: mpsc::UnboundedSender<Control>,
    ) -> io::Result<Self> {
        let stdin = if stdin_eof {
            let (tx, rx) = oneshot::channel();
            std::thread::Builder::new()
                .name("stdin".into())
                .spawn(move || {
                    for line in io::stdin().lines() {
                        let Ok(line) = line else { break };
                        // An SSID may end in spaces: only the line end goes.
                        let line = line.trim_end_matches(['\r', '\n']);
                        if let Some(control) = Control::parse_line(line) {
                            match control {
                                Ok(c) => {
                                    let _ = air.send(c);
                                }
                                Err(e) => eprintln!("atmodule: lab control {line:?}: {e}"),
                            }
                            continue;
                        }
                        match line
                            .trim()
                            .strip_prefix("drop ")
                            .map(|ip| ip.trim().parse())
                        {
                            Some(Ok(ip)) => silent.add(ip),
                            _ => eprintln!("atmodule: unknown lab control {line:?}"),
                        }
                    }
                    let _ = tx.send(());
                })?;
            Some(rx)
        } else {
            None
        };
        Ok(Stop {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            stdin,
        })
    }

    /// Resolves with what asked to stop. Cancel-safe.
    pub(crate) async fn wait(&mut self) -> &'static str {
        let Stop { int, term, stdin } = self;
        let stdin = async {
            match stdin {
                Some(rx) => {
                    let _ = rx.await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
            () = stdin => "stdin closed",
        }
    }
}
