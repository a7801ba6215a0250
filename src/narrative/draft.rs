//! Drafting a 决算说明 from the tables (`narrate`).
