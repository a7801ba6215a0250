//! The findings a consolidated node adds about itself: the internal flows
//! offset (冲抵) and mixed years. (The cells written by 舍位平衡 are listed
//! in their own sheet, 舍位调整.)
//!
//! They go to the node's 审核结果 next to the audit of its written tables.

use rust_decimal::Decimal;

use crate::config::Templates;
use crate::finding::{Finding, Severity};
use crate::model::Unit;
use crate::rules::eval::fmt;

/// 冲抵 totals of a node in 元.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offsets {
    /// The supervisors' 对附属单位补助支出 removed.
    pub grants: Decimal,
    /// The subordinates' 上级补助收入 removed.
    pub receipts: Decimal,
    /// The subordinates' 上缴上级支出 removed.
    pub remits: Decimal,
    /// The supervisors' 附属单位上缴收入 removed.
    pub received: Decimal,
}

impl Offsets {
    pub fn add(&mut self, o: &Offsets) {
        self.grants += o.grants;
        self.receipts += o.receipts;
        self.remits += o.remits;
        self.received += o.received;
    }

    fn is_zero(&self) -> bool {
        [self.grants, self.receipts, self.remits, self.received].iter().all(Decimal::is_zero)
    }
}

/// `offset-internal` (what was removed) and, when the two sides of the flows
/// differ, `offset-internal-mismatch`; amounts in `unit`.
pub fn offset_findings(o: &Offsets, unit: Unit, t: &Templates) -> Vec<Finding> {
    if o.is_zero() {
        return Vec::new();
    }
    let f = |v: Decimal| fmt((v * Unit::Yuan.factor_to(unit)).normalize());
    let words = [
        ("grants", f(o.grants)),
        ("receipts", f(o.receipts)),
        ("remits", f(o.remits)),
        ("received", f(o.received)),
    ];
    let args: Vec<(&str, &dyn std::fmt::Display)> =
        words.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
    let msg = &t.messages;
    let mut out =
        vec![Finding::new("offset-internal", Severity::Info, msg.text("consolidate.offset_done", &args))];
    if o.grants != o.receipts || o.remits != o.received {
        out.push(Finding::new(
            "offset-internal-mismatch",
            Severity::Warning,
            msg.text("consolidate.offset_mismatch", &args),
        ));
    }
    out
}

/// `consolidate-column-partial` (info) for each column only some inputs had:
/// it is left out of the consolidated table rather than summed partially.
pub fn partial_column_findings(partial: &[(u8, String, usize, usize)], t: &Templates) -> Vec<Finding> {
    partial
        .iter()
        .map(|(no, id, n, of)| {
            let table = t.layouts.table(*no).map_or_else(String::new, |l| l.title.clone());
            Finding::new(
                "consolidate-column-partial",
                Severity::Info,
                t.messages.text(
                    "consol.column_partial",
                    &[("table", &table), ("column", id), ("with", n), ("inputs", of)],
                ),
            )
            .with_place(crate::finding::Place {
                table: Some(*no),
                column: Some(id.clone()),
                ..crate::finding::Place::default()
            })
        })
        .collect()
}

/// `consolidate-table-mixed-form` (warning) for each table whose inputs mix
/// 功能分类- and 经济分类-keyed forms: it is left out rather than summed as
/// one table of mixed rows.
pub fn mixed_form_findings(mixed: &[(u8, usize, usize)], t: &Templates) -> Vec<Finding> {
    mixed
        .iter()
        .map(|(no, function, economic)| {
            let table = t.layouts.table(*no).map_or_else(String::new, |l| l.title.clone());
            Finding::new(
                "consolidate-table-mixed-form",
                Severity::Warning,
                t.messages.text(
                    "consol.table_mixed_form",
                    &[("table", &table), ("function", function), ("economic", economic)],
                ),
            )
            .with_place(crate::finding::Place { table: Some(*no), ..crate::finding::Place::default() })
        })
        .collect()
}

/// `consolidate-mixed-years` when the inputs are of more than one year.
pub fn year_findings(years: &[i32], t: &Templates) -> Option<Finding> {
    (years.len() > 1).then(|| {
        let list: Vec<String> = years.iter().map(ToString::to_string).collect();
        Finding::new(
            "consolidate-mixed-years",
            Severity::Warning,
            t.messages.text("consolidate.mixed_years", &[("years", &list.join("、"))]),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_reported_and_a_one_sided_flow_is_a_warning() {
        let t = Templates::embedded();
        assert!(offset_findings(&Offsets::default(), Unit::WanYuan, &t).is_empty());
        let matched = Offsets {
            grants: Decimal::from(100_000),
            receipts: Decimal::from(100_000),
            ..Offsets::default()
        };
        let f = offset_findings(&matched, Unit::WanYuan, &t);
        assert_eq!(f.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["offset-internal"]);
        assert!(f[0].message.contains("10"), "{}", f[0].message);
        let one_sided = Offsets { grants: Decimal::from(100_000), ..Offsets::default() };
        let f = offset_findings(&one_sided, Unit::WanYuan, &t);
        assert_eq!(f[1].rule, "offset-internal-mismatch");
        assert_eq!(f[1].severity, Severity::Warning);
    }

    #[test]
    fn mixed_years_are_a_warning() {
        let t = Templates::embedded();
        assert!(year_findings(&[2024], &t).is_none());
        assert_eq!(
            year_findings(&[2024, 2023], &t).map(|f| f.rule),
            Some("consolidate-mixed-years".to_string())
        );
    }
}
