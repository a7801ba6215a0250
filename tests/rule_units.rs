#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Units in rule literals: a number compared against amounts carries its unit
//! (`100万元`, `1000000元`) and is converted to the tables' unit when evaluated,
//! so one rule means the same in a workbook in 万元 and one in 元; a bare
//! number other than 0 is refused at load with file and line.

mod support;

use juesuan::model::Unit;
use juesuan::report::standard::Style;
use rust_decimal::Decimal;
use support::{bin, json, seed, write};

fn rule(id: &str, check: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\ntitle = \"测试\"\nseverity = \"error\"\ntables = [2]\ncheck = \"{check}\"\nwhy = \"测试\"\n\n"
    )
}

#[test]
fn a_bare_number_against_amounts_is_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let f = dir.path().join("rules/local.toml");
    std::fs::write(&f, rule("SCU1", "T2[合计].本年收入合计 <= 100")).unwrap();
    let o = bin().arg("--templates").arg(dir.path()).arg("rules").output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:6:", f.display())), "{err}");
    assert!(err.contains("100万元") && err.contains("100元"), "{err}");
    // Zero needs no unit; a unit is accepted.
    std::fs::write(
        &f,
        rule("SCU1", "T2[合计].本年收入合计 >= 0") + &rule("SCU2", "T2[合计].本年收入合计 <= 100万元"),
    )
    .unwrap();
    let o = bin().arg("--templates").arg(dir.path()).arg("rules").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The same department written in 万元 and in 元 gets the same verdicts from
/// literals in 元: the literal is converted to each workbook's unit.
#[test]
fn literals_are_converted_to_the_tables_unit() {
    let dep = seed("000", true);
    let total = dep.table(2).unwrap().row_by_label("合计").map(|r| r.get("本年收入合计").unwrap().value);
    let yuan =
        total.expect("T2 合计 本年收入合计 in the seed") * dep.unit.unwrap_or_default().factor_to(Unit::Yuan);
    assert!(yuan > Decimal::from(1_000_000), "a total large enough to tell 万元 from 元: {yuan}");
    let margin = Decimal::from(100_000);
    let (above, below) = ((yuan + margin).round(), (yuan - margin).round());
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tpl/rules")).unwrap();
    std::fs::write(
        dir.path().join("tpl/rules/local.toml"),
        rule("SCU-PASS", &format!("T2[合计].本年收入合计 <= {above}元"))
            + &rule("SCU-FAIL", &format!("T2[合计].本年收入合计 <= {below}元")),
    )
    .unwrap();
    for unit in [Unit::WanYuan, Unit::Yuan] {
        let path = dir.path().join(format!("in_{}.xlsx", unit.as_str()));
        write(&path, &dep, unit, Style::default());
        let o = bin()
            .arg("--templates")
            .arg(dir.path().join("tpl"))
            .arg("check")
            .arg(&path)
            .args(["--json", "-"])
            .output()
            .unwrap();
        let j = json(&o);
        let ids: Vec<&str> =
            j["files"][0]["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
        assert!(ids.contains(&"SCU-FAIL"), "{unit:?}: {ids:?}");
        assert!(!ids.contains(&"SCU-PASS"), "{unit:?}: {ids:?}");
    }
}

/// `tolerance` carries its unit too: a bare number is refused with file and
/// line; `"2 万元"` is converted to the tables' unit, so a gap of 1 万元 is a
/// rounding note in a 万元 workbook and in a 元 workbook alike.
#[test]
fn a_tolerance_needs_its_unit_and_is_converted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tpl/rules")).unwrap();
    let f = dir.path().join("tpl/rules/local.toml");
    let dep = seed("000", true);
    let total =
        dep.table(2).unwrap().row_by_label("合计").map(|r| r.get("本年收入合计").unwrap().value).unwrap()
            * dep.unit.unwrap_or_default().factor_to(Unit::WanYuan);
    let check = format!("T2[合计].本年收入合计 = {}万元", total + Decimal::ONE);
    std::fs::write(&f, rule("SCU-TOL", &check) + "tolerance = \"2\"\n").unwrap();
    let o = bin().arg("--templates").arg(dir.path().join("tpl")).arg("rules").output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:1:", f.display())) && err.contains("万元"), "{err}");

    std::fs::write(&f, rule("SCU-TOL", &check) + "tolerance = \"2 万元\"\n").unwrap();
    for unit in [Unit::WanYuan, Unit::Yuan] {
        let wb = dir.path().join(format!("{unit:?}.xlsx"));
        write(&wb, &dep, unit, Style::default());
        let o = bin()
            .arg("--templates")
            .arg(dir.path().join("tpl"))
            .args(["check", "--json", "-"])
            .arg(&wb)
            .output()
            .unwrap();
        let j = json(&o);
        let found: Vec<&serde_json::Value> =
            j["files"][0]["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "SCU-TOL").collect();
        assert_eq!(found.len(), 1, "{unit:?}: {found:?}");
        assert_eq!(found[0]["severity"], "info", "{unit:?}: within 2 万元 is rounding, not an error");
    }
}
