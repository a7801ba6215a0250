//! 冲抵: removing internal flows between a supervising unit and its
//! subordinates before they are summed, so consolidated income and expenditure
//! are not counted twice.
//!
//! Roles come from the file name (documented in the README): a name containing
//! `[主管]` or `（主管）` marks the supervising unit of its directory node, `[下属]`
//! or `（下属）` a subordinate. Unmarked files take their role from the directory
//! structure (`super::tree`): a department's own workbook (`教育局本级.xlsx`, or
//! named like its directory) supervises the other workbooks under it. For a subordinate its 上级补助收入 (income from the
//! supervisor) and 上缴上级支出 (remittances to it) are removed; for the
//! supervisor its 对附属单位补助支出 and 附属单位上缴收入 (the ids are in
//! `templates/consolidate.toml`). Every total that
//! contains them (T1 rows and totals, T2/T3 row totals, T1 class rows) is
//! reduced by the same amounts, so each table still adds up.

use rust_decimal::Decimal;

use crate::model::{Department, RowKey};
use crate::outcome::Role;
use crate::template::consolidation::{Flows, Spec, Totals};

/// The role marked in a file name, if any.
pub fn role_of(path: &std::path::Path) -> Option<Role> {
    let name = path.file_name()?.to_string_lossy().to_string();
    if name.contains("[主管]") || name.contains("（主管）") || name.contains("(主管)") {
        Some(Role::Supervisor)
    } else if name.contains("[下属]") || name.contains("（下属）") || name.contains("(下属)") {
        Some(Role::Subordinate)
    } else {
        None
    }
}

/// Whether an unmarked file is its directory's own-level (本级) workbook: its
/// name, without brackets and markers, ends with 本级 or is the directory's
/// name (`教育局/教育局本级.xlsx`, `教育局/教育局.xlsx`).
pub fn is_own_level(path: &std::path::Path) -> bool {
    let clean = |s: &str| {
        s.replace("[主管]", "")
            .chars()
            .filter(|c| !c.is_whitespace() && !"[]()（）【】".contains(*c))
            .collect::<String>()
    };
    let Some(stem) = path.file_stem().map(|s| clean(&s.to_string_lossy())) else { return false };
    let dir = path.parent().and_then(|p| p.file_name()).map(|s| clean(&s.to_string_lossy()));
    stem.ends_with("本级") || dir.is_some_and(|d| !d.is_empty() && d == stem)
}

/// The internal amounts removed from one unit: (income removed, expenditure removed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    /// 上级补助收入 (subordinate) or 附属单位上缴收入 (supervisor).
    pub income: Decimal,
    /// 上缴上级支出 (subordinate) or 对附属单位补助支出 (supervisor).
    pub expenditure: Decimal,
}

fn sub_cell(dep: &mut Department, no: u8, key: &RowKey, side: Option<&str>, col: &str, v: Decimal) {
    if let Some(t) = dep.tables.get_mut(&no)
        && let Some(r) =
            t.rows.iter_mut().find(|r| &r.key == key && (side.is_none() || r.side.as_deref() == side))
        && let Some(a) = r.cells.get_mut(col)
    {
        a.value -= v;
    }
}

/// Zeroes column `col` of every row of table `no`, reducing `total_col` by the
/// same amount; returns the total row's (`total_row`) amount and the
/// per-class-row amounts.
fn strip_column(
    dep: &mut Department,
    no: u8,
    col: &str,
    total_col: &str,
    total_row: &str,
) -> (Decimal, Vec<(String, Decimal)>) {
    let mut total = Decimal::ZERO;
    let mut classes = Vec::new();
    if let Some(t) = dep.tables.get_mut(&no) {
        for r in &mut t.rows {
            let v = r.cells.get(col).map_or(Decimal::ZERO, |a| a.value);
            if v.is_zero() {
                continue;
            }
            if let Some(a) = r.cells.get_mut(col) {
                a.value = Decimal::ZERO;
            }
            if let Some(a) = r.cells.get_mut(total_col) {
                a.value -= v;
            }
            match &r.key {
                RowKey::Label(l) if l == total_row => total = v,
                RowKey::Code(c) if c.len() == 3 => classes.push((c.clone(), v)),
                _ => {}
            }
        }
    }
    (total, classes)
}

/// The flows offset for a role (`templates/consolidate.toml`).
pub fn flows(spec: &Spec, role: Role) -> &Flows {
    match role {
        Role::Subordinate => &spec.offset.subordinate,
        Role::Supervisor => &spec.offset.supervisor,
    }
}

/// Removes the unit's internal `flows` in place (amounts in the unit's own
/// unit), with the `totals` they entered.
pub fn strip(dep: &mut Department, flows: &Flows, totals: &Totals) -> Removed {
    let (income_row, exp_col) = (flows.income.as_str(), flows.expenditure.as_str());
    let income_col = income_row;
    let t = totals;
    let (inc, exp) = (Some(t.income_side.as_str()), Some(t.expenditure_side.as_str()));
    let income_t1 = dep
        .table(1)
        .and_then(|tb| tb.row(&RowKey::Label(income_row.into()), inc))
        .and_then(|r| r.get(&t.column))
        .map_or(Decimal::ZERO, |a| a.value);
    let (income_t2, _) = strip_column(dep, 2, income_col, &t.income, &t.row);
    let income = if income_t1.is_zero() { income_t2 } else { income_t1 };
    for key in [income_row, &t.income, &t.income_grand] {
        sub_cell(dep, 1, &RowKey::Label(key.into()), inc, &t.column, income);
    }
    let (expenditure, classes) = strip_column(dep, 3, exp_col, &t.expenditure, &t.row);
    for (code, v) in classes {
        sub_cell(dep, 1, &RowKey::Code(code), exp, &t.column, v);
    }
    for key in [&t.expenditure, &t.expenditure_grand] {
        sub_cell(dep, 1, &RowKey::Label(key.clone()), exp, &t.column, expenditure);
    }
    Removed { income, expenditure }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_file_names() {
        assert_eq!(role_of(std::path::Path::new("a/甲县教育局[主管].xlsx")), Some(Role::Supervisor));
        assert_eq!(role_of(std::path::Path::new("a/第一中学（下属）.xlsx")), Some(Role::Subordinate));
        assert_eq!(role_of(std::path::Path::new("a/财政局.xlsx")), None);
    }

    #[test]
    fn own_level_workbooks_by_name() {
        let own = |s: &str| is_own_level(std::path::Path::new(s));
        assert!(own("甲县/教育局/教育局本级.xlsx"));
        assert!(own("甲县/教育局/教育局（本级）.xls"));
        assert!(own("甲县/教育局/教育局.xlsx"));
        assert!(!own("甲县/教育局/第一中学.xlsx"));
        assert!(!own("教育局.xlsx"));
    }
}
