use super::*;

#[test]
fn distances() {
    assert_eq!(distance("", ""), 0);
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("depends", "depend"), 1);
    assert_eq!(distance("abc", ""), 3);
}

#[test]
fn suggests_the_closest_close_name() {
    let keys = ["depends", "dev-depends", "build-depends", "uses"];
    assert_eq!(closest("depend", keys), Some("depends"));
    assert_eq!(closest("dev_depends", keys), Some("dev-depends"));
    assert_eq!(closest("DEPENDS", keys), Some("depends"));
    assert_eq!(closest("use", keys), Some("uses"));
    assert_eq!(closest("frobnicate", keys), None);
    // An exact match is not a suggestion.
    assert_eq!(closest("uses", ["uses"]), None);
    assert_eq!(did_you_mean("catalgo", ["catalog"]).as_deref(), Some("did you mean `catalog`?"));
}
