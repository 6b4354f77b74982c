//! UART0 to the host MCU. A task of its own empties the receive FIFO (128
//! bytes, 11 ms at 115200) into a pipe, so no input is lost while the module
//! task is busy writing output; the module task takes what the pipe holds as
//! one piece. Output is written by the module task itself.
//!
//! Without RTS/CTS wired, input the core cannot take waits in the pipe; when
//! the pipe is full the FIFO overflows and the excess is dropped, as the
//! core's `uart_rx_ready` documents for a UART without flow control.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use esp_hal::Async;
use esp_hal::uart::{UartRx, UartTx};
use esp_println::println;

/// Received bytes not yet handed to the core: two of the dialect's UART
/// pieces.
pub(crate) static UART_IN: Pipe<CriticalSectionRawMutex, { 2 * PIECE }> = Pipe::new();

/// The most bytes the core gets in one `handle_uart` (the dialect's piece).
pub(crate) const PIECE: usize = firmware_core::SEED.uart_piece;

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

/// Writes all of `bytes` to the host MCU.
pub(crate) async fn write_all(tx: &mut UartTx<'static, Async>, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match tx.write_async(bytes).await {
            Ok(n) => bytes = &bytes[n..],
            Err(e) => {
                println!("uart0 tx: {e:?}");
                return;
            }
        }
    }
}
