//! AWS partitions, told from a region's name: the ARN's partition and the console's host. One
//! table, because links and assumed roles must agree on where a region belongs.

/// One partition: the prefix of its regions, its name in ARNs, and its console's host (`None`:
/// not reachable from outside the partition).
pub struct Partition {
    pub prefix: &'static str,
    pub name: &'static str,
    pub console: Option<&'static str>,
}

const fn row(prefix: &'static str, name: &'static str, console: Option<&'static str>) -> Partition {
    Partition {
        prefix,
        name,
        console,
    }
}

/// The first match wins: the commercial partition, with no prefix, is last.
#[rustfmt::skip]
pub const PARTITIONS: &[Partition] = &[
    row("cn-",      "aws-cn",     Some("console.amazonaws.cn")),
    row("us-gov-",  "aws-us-gov", Some("console.amazonaws-us-gov.com")),
    row("us-isob-", "aws-iso-b",  None),
    row("us-iso",   "aws-iso",    None),
    row("eu-isoe-", "aws-iso-e",  None),
    row("",         "aws",        Some("console.aws.amazon.com")),
];

/// Shaped like an AWS region (`us-east-1`): lowercase letters, digits and dashes. An event's
/// region is checked before it chooses a host, a link's or a lookup's.
pub fn is_region(value: &str) -> bool {
    (4..=32).contains(&value.len())
        && value.contains('-')
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The partition of a region shaped like one.
pub fn of_region(region: &str) -> Option<&'static Partition> {
    if !is_region(region) {
        return None;
    }
    PARTITIONS.iter().find(|p| region.starts_with(p.prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_belong_to_their_partition_and_other_strings_to_none() {
        let name = |region| of_region(region).map(|p| p.name);
        assert_eq!(name("us-east-1"), Some("aws"));
        assert_eq!(name("cn-northwest-1"), Some("aws-cn"));
        assert_eq!(name("us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(name("us-isob-east-1"), Some("aws-iso-b"));
        assert_eq!(name("us-iso-east-1"), Some("aws-iso"));
        for bad in ["", "US-EAST-1", "evil.example.net#", "us-east-1/x", "east"] {
            assert_eq!(name(bad), None, "{bad}");
        }
    }
}
