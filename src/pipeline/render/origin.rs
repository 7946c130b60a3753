//! Where an event comes from, said first when it is not the function's own account and region:
//! one notifier for a whole organization posts every account's events to the same channel.

use crate::config::Settings;
use crate::domain::model::Notification;

/// Whether `n` comes from an account or region other than the function's own.
pub fn is_elsewhere(n: &Notification, settings: &Settings) -> bool {
    (settings.home).is_elsewhere(n.account.as_deref(), n.region.as_deref())
}

/// The first line's opening for an event from elsewhere: `Account prod (111111111111), us-west-2: `.
pub fn opening(n: &Notification) -> String {
    let account = match (&n.account, &n.account_name) {
        (Some(id), Some(name)) => format!("Account {name} ({id})"),
        (Some(id), None) => format!("Account {id}"),
        (None, _) => "Unknown account".to_owned(),
    };
    match &n.region {
        Some(region) => format!("{account}, {region}: "),
        None => format!("{account}: "),
    }
}
