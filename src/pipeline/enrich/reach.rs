//! Where a notification's lookups go: AWS answers a job's lookups only in the job's own account
//! and region, so an event forwarded from another account is looked up there, through the role
//! `LOOKUP_ROLE_NAME` names in that account.

use crate::config::Settings;
use crate::domain::account::is_account_id;
use crate::domain::model::Notification;
use crate::domain::partition;
use crate::ports::lookups::{Reach, RoleRef};

/// The partition when neither the event's region nor the function's says.
const DEFAULT_PARTITION: &str = "aws";

/// The region and role of `n`'s lookups under `settings`. The event's region is used only when
/// it is shaped like one (it becomes a host name), and another account only when it is 12 digits
/// (it becomes an ARN); otherwise the function's own region and credentials are used, as they are
/// for its own account.
pub fn reach(n: &Notification, settings: &Settings) -> Reach {
    let home = &settings.home;
    let region = (n.region.as_deref())
        .filter(|region| partition::is_region(region))
        .filter(|region| home.region.as_deref() != Some(*region));
    let account = (n.account.as_deref())
        .filter(|account| is_account_id(account))
        .filter(|account| home.account.as_deref().is_some_and(|home| home != *account));
    let role = match (account, &settings.enrich.lookup_role) {
        (Some(account), Some(name)) => {
            let partition = (region.or(home.region.as_deref()))
                .and_then(partition::of_region)
                .map_or(DEFAULT_PARTITION, |p| p.name);
            Some(RoleRef {
                arn: format!("arn:{partition}:iam::{account}:role/{name}"),
                name: name.clone(),
                account: account.to_owned(),
            })
        }
        _ => None,
    };
    Reach {
        region: region.map(str::to_owned),
        role,
    }
}
