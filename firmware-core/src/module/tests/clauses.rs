//! One test group per clause family.
