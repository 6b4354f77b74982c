//! The Wi-Fi station and the embassy-net runner, as in esp-hal's
//! `embassy_dhcp` example. DHCP is embassy-net's; the module task watches
//! the stack for its configuration.
//!
//! Credentials come from the build environment (README.md):
//! `ATCERT_WIFI_SSID` and `ATCERT_WIFI_PASSWORD`. Without an SSID the
//! station never joins, the stack never gets an address, and the module
//! still answers AT commands: TCP opens fail, names do not resolve.

use embassy_net::Runner;
use embassy_time::{Duration, Timer};
use esp_println::println;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{AuthenticationMethodConfig, Config, Interface, WifiController};

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

/// embassy-net's runner: moves frames between the radio and the sockets,
/// runs DHCP.
#[embassy_executor::task]
pub(crate) async fn net_task(mut runner: Runner<'static, Interface>) -> ! {
    runner.run().await
}
