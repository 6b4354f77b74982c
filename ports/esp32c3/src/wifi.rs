//! The Wi-Fi station and the embassy-net runner, as in esp-hal's
//! `embassy_dhcp` example. DHCP is embassy-net's; the module task watches
//! the stack for its configuration.
//!
//! Two ways to join. The `seed` dialect has no Wi-Fi commands: its
//! credentials come from the build environment (README.md),
//! `ATCERT_WIFI_SSID` and `ATCERT_WIFI_PASSWORD`; without an SSID the
//! station never joins, and the module still answers AT commands (TCP opens
//! fail, names do not resolve). A dialect with a station (`esp-at`, cargo
//! feature `esp-at`) joins when the core asks (`AT+CWJAP`): its
//! `NetCommand::Join`, `Leave` and `Scan` come here as [`Order`]s, and
//! what becomes of them goes back to the core as [`WifiNews`].

use alloc::vec::Vec;

use embassy_futures::select::{Either, select};
use embassy_net::Runner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{Duration, Timer};
use esp_println::println;
use esp_radio::wifi::ap::AccessPointInfo;
use esp_radio::wifi::scan::ScanConfig;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{
    AuthenticationMethodConfig, Config, ConnectionError, DisconnectReason, Interface,
    WifiController,
};
use firmware_core::JoinFailure;

use crate::net::{NEWS, News};

/// What the core asked of the station.
pub(crate) enum Order {
    Join {
        ssid: Vec<u8>,
        password: Vec<u8>,
        bssid: Option<[u8; 6]>,
    },
    Leave,
    Scan,
}

/// What became of it, for the core.
pub(crate) enum WifiNews {
    Associated(AccessPointInfo),
    JoinFailed(JoinFailure),
    Disassociated,
    Scanned(Vec<AccessPointInfo>),
}

/// Orders for [`station_task`]: the core waits for each join's outcome, so
/// a few suffice.
pub(crate) static ORDERS: Channel<CriticalSectionRawMutex, Order, 4> = Channel::new();

/// The network to join; empty: none.
const SSID: &str = match option_env!("ATCERT_WIFI_SSID") {
    Some(ssid) => ssid,
    None => "",
};

/// Its WPA2/WPA3 passphrase; empty: an open network.
const PASSWORD: &str = match option_env!("ATCERT_WIFI_PASSWORD") {
    Some(password) => password,
    None => "",
};

// Checked at build time, so a bad credential is a build error rather than a
// module that restarts at every boot.
const _: () = assert!(SSID.len() <= 32, "ATCERT_WIFI_SSID: at most 32 bytes");
const _: () = assert!(
    PASSWORD.is_empty() || (PASSWORD.len() >= 8 && PASSWORD.len() <= 64),
    "ATCERT_WIFI_PASSWORD: empty (open network) or 8 to 64 bytes"
);

/// How long to wait before joining again after a failure or a disconnect.
const RETRY: Duration = Duration::from_secs(5);

/// The station configuration from the build-time credentials.
pub(crate) fn station_config() -> Config {
    let ssid = SSID.try_into().expect("checked at build time");
    let authentication = if PASSWORD.is_empty() {
        AuthenticationMethodConfig::Open
    } else {
        AuthenticationMethodConfig::Wpa2Personal(
            PASSWORD.try_into().expect("checked at build time"),
        )
    };
    Config::Station(
        StationConfig::default()
            .with_ssid(ssid)
            .with_authentication(authentication),
    )
}

/// Joins the network and joins again whenever the link drops.
#[embassy_executor::task]
pub(crate) async fn connection_task(mut controller: WifiController<'static>) {
    if SSID.is_empty() {
        println!("wifi: built without ATCERT_WIFI_SSID; staying offline");
        // Keep the controller: dropping it would stop the radio driver the
        // stack's interface belongs to.
        core::future::pending::<()>().await;
    }
    loop {
        match controller.connect_async().await {
            Ok(info) => {
                println!("wifi: joined {:?} on channel {}", info.ssid, info.channel);
                let gone = controller.wait_for_disconnect_async().await;
                println!("wifi: left the network: {gone:?}");
            }
            Err(e) => println!("wifi: cannot join {SSID:?}: {e:?}"),
        }
        Timer::after(RETRY).await;
    }
}

/// The station of a dialect with Wi-Fi commands: joins, leaves and scans
/// when the core says so, and reports a lost access point.
#[embassy_executor::task]
pub(crate) async fn station_task(mut controller: WifiController<'static>) {
    let mut joined = false;
    loop {
        let lost = async {
            if joined {
                let _ = controller.wait_for_disconnect_async().await;
            } else {
                core::future::pending::<()>().await;
            }
        };
        let order = match select(ORDERS.receive(), lost).await {
            Either::First(order) => order,
            Either::Second(()) => {
                joined = false;
                tell(WifiNews::Disassociated).await;
                continue;
            }
        };
        match order {
            Order::Join {
                ssid,
                password,
                bssid,
            } => {
                if joined {
                    let _ = controller.disconnect_async().await;
                }
                joined = false;
                match join(&mut controller, &ssid, &password, bssid).await {
                    Ok(info) => {
                        joined = true;
                        tell(WifiNews::Associated(info)).await;
                    }
                    Err(reason) => tell(WifiNews::JoinFailed(reason)).await,
                }
            }
            Order::Leave => {
                if joined {
                    let _ = controller.disconnect_async().await;
                }
                joined = false;
            }
            Order::Scan => {
                let found = controller
                    .scan_async(&ScanConfig::default())
                    .await
                    .unwrap_or_default();
                tell(WifiNews::Scanned(found)).await;
            }
        }
    }
}

/// One join: the access point's details, or why not (EW-5's codes).
async fn join(
    controller: &mut WifiController<'static>,
    ssid: &[u8],
    password: &[u8],
    bssid: Option<[u8; 6]>,
) -> Result<AccessPointInfo, JoinFailure> {
    let ssid = ssid.try_into().map_err(|_| JoinFailure::Other)?;
    let authentication = if password.is_empty() {
        AuthenticationMethodConfig::Open
    } else {
        AuthenticationMethodConfig::Wpa2Personal(
            password
                .try_into()
                .map_err(|_| JoinFailure::WrongPassword)?,
        )
    };
    let mut station = StationConfig::default()
        .with_ssid(ssid)
        .with_authentication(authentication);
    if let Some(bssid) = bssid {
        station = station.with_bssid(bssid);
    }
    controller
        .set_config(&Config::Station(station))
        .map_err(|_| JoinFailure::Other)?;
    match controller.connect_async().await {
        Ok(_) => controller.ap_info().map_err(|_| JoinFailure::Other),
        Err(ConnectionError::Failed(info)) => Err(match info.reason {
            DisconnectReason::NoAccessPointFound => JoinFailure::NotFound,
            DisconnectReason::AuthenticationFailed
            | DisconnectReason::FourWayHandshakeTimeout
            | DisconnectReason::HandshakeTimeout
            | DisconnectReason::MicFailure => JoinFailure::WrongPassword,
            _ => JoinFailure::Other,
        }),
        // Non-exhaustive: any other failure is code 4.
        Err(_) => Err(JoinFailure::Other),
    }
}

/// Hands the station an order; one that finds the queue full is dropped,
/// and the core's own timeouts answer for it.
pub(crate) fn order(order: Order) {
    if ORDERS.try_send(order).is_err() {
        println!("wifi: an order was dropped");
    }
}

async fn tell(news: WifiNews) {
    NEWS.send(News::Wifi(news)).await;
}

/// embassy-net's runner: moves frames between the radio and the sockets,
/// runs DHCP.
#[embassy_executor::task]
pub(crate) async fn net_task(mut runner: Runner<'static, Interface>) -> ! {
    runner.run().await
}
