//! UART0 to the host MCU, a task each way, so the module task never waits
//! on the line.
//!
//! In: a task empties the receive FIFO (128 bytes, 11 ms at 115200) into a
//! pipe, so no input is lost while the module task is busy; the module task
//! takes what the pipe holds as one piece. Without RTS/CTS wired, input the
//! core cannot take waits in the pipe; when the pipe is full the FIFO
//! overflows and the excess is dropped, as the core's `uart_rx_ready`
//! documents for a UART without flow control.
//!
//! Out: the module task moves the core's output into a pipe as far as it
//! has room (what does not fit stays in the core, whose room for received
//! data shrinks accordingly); a task writes it to the line and signals room.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embassy_sync::signal::Signal;
use esp_hal::Async;
use esp_hal::uart::{UartRx, UartTx};
use esp_println::println;

/// Received bytes not yet handed to the core: two of the dialect's UART
/// pieces.
pub(crate) static UART_IN: Pipe<CriticalSectionRawMutex, { 2 * PIECE }> = Pipe::new();

/// The most bytes the core gets in one `handle_uart` (the dialect's piece).
pub(crate) const PIECE: usize = firmware_core::SEED.uart_piece;

/// Output for the host not yet written to the line: about 44 ms of it.
pub(crate) static UART_OUT: Pipe<CriticalSectionRawMutex, 512> = Pipe::new();

/// Bytes left `UART_OUT` for the line: it has room.
pub(crate) static UART_ROOM: Signal<CriticalSectionRawMutex, ()> = Signal::new();

#[embassy_executor::task]
pub(crate) async fn uart_rx_task(mut rx: UartRx<'static, Async>) -> ! {
    // One FIFO's worth: `read_async` returns what the FIFO holds once its
    // fill threshold or the RX idle timeout (10 symbol times) is reached.
    let mut buf = [0u8; 128];
    loop {
        match rx.read_async(&mut buf).await {
            Ok(n) => UART_IN.write_all(&buf[..n]).await,
            // Overflow, framing or parity: those bytes are gone; go on.
            Err(e) => println!("uart0 rx: {e:?}"),
        }
    }
}

#[embassy_executor::task]
pub(crate) async fn uart_tx_task(mut tx: UartTx<'static, Async>) -> ! {
    // One FIFO's worth at a time.
    let mut buf = [0u8; 128];
    loop {
        let n = UART_OUT.read(&mut buf).await;
        UART_ROOM.signal(());
        let mut bytes = &buf[..n];
        while !bytes.is_empty() {
            match tx.write_async(bytes).await {
                Ok(n) => bytes = &bytes[n..],
                Err(e) => {
                    println!("uart0 tx: {e:?}");
                    break;
                }
            }
        }
    }
}

/// Queues what fits of `bytes` for the host; returns how much did.
pub(crate) fn write(mut bytes: &[u8]) -> usize {
    let len = bytes.len();
    // The pipe is a ring: a write may stop at its end.
    while let Ok(n) = UART_OUT.try_write(bytes) {
        bytes = &bytes[n..];
        if bytes.is_empty() {
            break;
        }
    }
    len - bytes.len()
}
