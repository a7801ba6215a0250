//! `juesuan consolidate` end to end: exact sums across units and layouts, per-node
//! outputs equal to the sums of their children, the rounding balance, robustness.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use juesuan::config::Templates;
use juesuan::model::extract::read_department;
use juesuan::model::{Department, RowKey, Unit};
use juesuan::report::standard::Style;
use rust_decimal::Decimal;

mod support;
use support::{bin, write};

type Values = BTreeMap<(u8, Option<String>, RowKey, String), Decimal>;

fn seed(key: &str) -> Department {
    support::seed(key, true)
}

/// Every amount in 元.
fn values(dep: &Department) -> Values {
    let mut d = dep.clone();
    d.convert_unit(Unit::Yuan);
    let mut out = BTreeMap::new();
    for (no, t) in &d.tables {
        for r in &t.rows {
            for (c, a) in &r.cells {
                out.insert((*no, r.side.clone(), r.key.clone(), c.clone()), a.value.normalize());
            }
        }
    }
    out
}

fn add(into: &mut Values, from: &Values) {
    for (k, v) in from {
        *into.entry(k.clone()).or_insert(Decimal::ZERO) += v;
    }
}

fn read(path: &Path) -> Department {
    let t = Templates::embedded();
    read_department(&juesuan::workbook::open(path).unwrap(), &t.layouts, &t.messages)
}

fn assert_same(got: &Values, want: &Values, what: &str) {
    let mut diffs = Vec::new();
    for (k, v) in want {
        let g = got.get(k).copied().unwrap_or_default();
        if g.normalize() != v.normalize() {
            diffs.push(format!("{k:?}: got {g} want {v}"));
        }
    }
    for (k, v) in got {
        if !want.contains_key(k) && !v.is_zero() {
            diffs.push(format!("{k:?}: unexpected {v}"));
        }
    }
    assert!(diffs.is_empty(), "{what}: {} differences: {:#?}", diffs.len(), &diffs[..diffs.len().min(6)]);
}

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        /// Consolidated amounts equal the independently computed sums, per node too,
        /// for departments in mixed units and layouts; read back from the written workbook.
        #[test]
        fn sums_are_exact_per_node(factors in proptest::collection::vec((1i64..20, 0usize..4, any::<bool>()), 3..6)) {
            let dir = tempfile::tempdir().unwrap();
            let input = dir.path().join("某市");
            let mut want: BTreeMap<String, Values> = BTreeMap::new();
            for (i, (f, style_ix, yuan)) in factors.iter().enumerate() {
                let county = if i % 2 == 0 { "甲县" } else { "乙县" };
                let base = seed(if i % 3 == 0 { "002" } else { "000" });
                let dep = juesuan::samples::scaled_in(&base, *f, &format!("单位{i}"), Some(2024));
                let style = match style_ix {
                    0 => Style::default(),
                    1 => Style { split_codes: true, ..Style::default() },
                    2 => Style { shuffled_sheets: true, alias_titles: true, ..Style::default() },
                    _ => Style { stacked: true, text_numbers: true, ..Style::default() },
                };
                let unit = if *yuan { Unit::Yuan } else { Unit::WanYuan };
                write(&input.join(county).join(format!("单位{i}.xlsx")), &dep, unit, style);
                let v = values(&dep);
                add(want.entry(county.to_string()).or_default(), &v);
                add(want.entry(String::new()).or_default(), &v);
            }
            let out = dir.path().join("out");
            let o = bin().arg("consolidate").arg(&input).arg("-o").arg(out.join("某市.xlsx"))
                .arg("--by-dir").arg(out.join("nodes")).args(["--unit", "元", "--quiet"]).output().unwrap();
            prop_assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
            assert_same(&values(&read(&out.join("某市.xlsx"))), &want[""], "root");
            for county in ["甲县", "乙县"] {
                if let Some(w) = want.get(county) {
                    let got = read(&out.join("nodes").join(format!("{county}.xlsx")));
                    prop_assert_eq!(got.department.as_deref(), Some(county));
                    assert_same(&values(&got), w, county);
                }
            }
        }
    }
}

/// Naive rounding of 元 sums to 万元 breaks totals; the balanced output adds up.
#[test]
fn rounding_balance_in_wan_yuan() {
    let dir = tempfile::tempdir().unwrap();
    // 1.00005 × an exact department keeps every equality in 元 but leaves
    // sub-cent remainders in 万元 everywhere.
    let mut dep = seed("000");
    dep.convert_unit(Unit::Yuan);
    for t in dep.tables.values_mut() {
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                a.value *= "1.00005".parse::<Decimal>().unwrap();
            }
        }
    }
    for i in 0..3 {
        write(&dir.path().join(format!("in/u{i}.xlsx")), &dep, Unit::Yuan, Style::default());
    }
    let out = dir.path().join("sum.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(dir.path().join("in"))
        .arg("-o")
        .arg(&out)
        .args(["--json", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let j_adjustments = j["adjustments"].as_u64().unwrap();
    assert!(j_adjustments > 0, "the case must need balancing");
    let o = bin().arg("check").arg(&out).args(["--json", "-"]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = j["files"][0]["findings"].as_array().unwrap();
    // No error, and no rounding note either: every equality holds exactly, across tables too.
    assert!(findings.is_empty(), "{findings:#?}");
    // Every adjusted cell is listed in 舍位调整, with its exact sum and why.
    let wb = juesuan::workbook::open(&out).unwrap();
    let sheet = wb.sheets.iter().find(|s| &*s.name == "舍位调整").unwrap();
    let listed = sheet.rows().count() - 1;
    assert_eq!(listed as u64, j_adjustments, "one row per adjustment");
    assert!(
        sheet.rows().skip(1).all(|(_, c)| c.len() == 9),
        "table, row, column, exact, naive, written, delta, distance, why"
    );
}

#[test]
fn unreadable_inputs_are_listed_and_outputs_are_atomic_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("a.xlsx"), &seed("000"), Unit::WanYuan, Style::default());
    write(&input.join("b.xlsx"), &seed("000"), Unit::Yuan, Style::default());
    std::fs::write(input.join("broken.xlsx"), b"PK\x03\x04 truncated").unwrap();
    let out = dir.path().join("out.xlsx");
    let run = || {
        bin()
            .arg("consolidate")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--json", "-", "--quiet"])
            .output()
            .unwrap()
    };
    let o = run();
    assert_eq!(o.status.code(), Some(1), "an unreadable input is a problem");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (j["inputs"].as_u64(), j["read"].as_u64(), j["unreadable"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    let first = std::fs::read(&out).unwrap();
    let o = run();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&out).unwrap(), first, "a rerun gives the same bytes");
    // The unreadable input is in the 分户表 with its reason; the sum is 2 × the unit.
    let wb = juesuan::workbook::open(&out).unwrap();
    let units = wb.sheets.iter().find(|s| &*s.name == "分户表").unwrap();
    assert!(units.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text().contains("不是 Excel 工作簿"))));
    let d = read(&out);
    let total =
        d.table(1).unwrap().row(&RowKey::Label("本年收入合计".into()), Some("收入")).unwrap().cells["决算数"]
            .value;
    assert_eq!(total, "1510.64".parse::<Decimal>().unwrap());
    // No temporary file is left next to the output.
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // An output that is also an input is refused, and the input is untouched.
    let a = input.join("a.xlsx");
    let before = std::fs::read(&a).unwrap();
    let o = bin().arg("consolidate").arg(&input).arg("-o").arg(&a).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&a).unwrap(), before);
}

#[test]
fn the_readme_command_consolidates_the_sample_county() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = bin()
        .current_dir(root)
        .args(["consolidate", "samples/county/某市", "-o"])
        .arg(dir.path().join("某市汇总.xlsx"))
        .arg("--by-dir")
        .arg(dir.path().join("某市"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let d = read(&dir.path().join("某市汇总.xlsx"));
    assert_eq!(d.department.as_deref(), Some("某市"));
    assert_eq!(d.tables.len(), 13);
    let jia = read(&dir.path().join("某市/甲县.xlsx"));
    let yi = read(&dir.path().join("某市/乙县.xlsx"));
    let mut want = values(&jia);
    add(&mut want, &values(&yi));
    assert_same(&values(&d), &want, "某市 = 甲县 + 乙县");
}

fn bump(dep: &mut Department, no: u8, key: &str, side: Option<&str>, col: &str, v: i64) {
    let k = if key.chars().all(|c| c.is_ascii_digit()) {
        RowKey::Code(key.into())
    } else {
        RowKey::Label(key.into())
    };
    let t = dep.tables.get_mut(&no).unwrap();
    let r = t.rows.iter_mut().find(|r| r.key == k && (side.is_none() || r.side.as_deref() == side)).unwrap();
    r.cells.get_mut(col).unwrap().value += Decimal::from(v);
}

/// A supervisor grants 10 万元 to a subordinate: with --offset-internal neither
/// the grant nor the receipt is in the consolidation, which still balances.
#[test]
fn offset_internal_removes_flows_between_supervisor_and_subordinate() {
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("甲县");
    let mut sup = juesuan::samples::scaled(&seed("000"), 1, "甲县教育局");
    for r in ["合计", "206", "20601", "2060101"] {
        bump(&mut sup, 3, r, None, "对附属单位补助支出", 10);
        bump(&mut sup, 3, r, None, "本年支出合计", 10);
    }
    for (k, side) in [
        ("206", "支出"),
        ("本年支出合计", "支出"),
        ("支出总计", "支出"),
        ("年初结转和结余", "收入"),
        ("收入总计", "收入"),
    ] {
        bump(&mut sup, 1, k, Some(side), "决算数", 10);
    }
    let mut sub = juesuan::samples::scaled(&seed("000"), 1, "甲县第一中学");
    for r in ["合计", "206", "20601", "2060101"] {
        bump(&mut sub, 2, r, None, "上级补助收入", 10);
        bump(&mut sub, 2, r, None, "本年收入合计", 10);
    }
    for (k, side) in [
        ("上级补助收入", "收入"),
        ("本年收入合计", "收入"),
        ("收入总计", "收入"),
        ("年末结转和结余", "支出"),
        ("支出总计", "支出"),
    ] {
        bump(&mut sub, 1, k, Some(side), "决算数", 10);
    }
    write(&node.join("甲县教育局[主管].xlsx"), &sup, Unit::WanYuan, Style::default());
    write(&node.join("甲县第一中学[下属].xlsx"), &sub, Unit::Yuan, Style::default());
    // Each unit is a clean submission on its own.
    let o = bin().arg("check").arg(&node).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let t1 = |d: &Department, k: &str, side: &str| {
        d.table(1).unwrap().row(&RowKey::Label(k.into()), Some(side)).unwrap().cells["决算数"].value
    };
    let t3 = |d: &Department, col: &str| d.table(3).unwrap().row_by_label("合计").unwrap().cells[col].value;

    let plain = dir.path().join("plain.xlsx");
    assert!(
        bin()
            .arg("consolidate")
            .arg(&node)
            .arg("-o")
            .arg(&plain)
            .arg("--quiet")
            .output()
            .unwrap()
            .status
            .success()
    );
    let p = read(&plain);
    assert_eq!(t1(&p, "上级补助收入", "收入"), Decimal::from(10));
    assert_eq!(t3(&p, "对附属单位补助支出"), Decimal::from(10));

    let off = dir.path().join("offset.xlsx");
    let o = bin()
        .arg("consolidate")
        .arg(&node)
        .arg("-o")
        .arg(&off)
        .args(["--offset-internal", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let d = read(&off);
    assert_eq!(t1(&d, "上级补助收入", "收入"), Decimal::ZERO);
    assert_eq!(t3(&d, "对附属单位补助支出"), Decimal::ZERO);
    assert_eq!(t1(&d, "本年收入合计", "收入"), t1(&p, "本年收入合计", "收入") - Decimal::from(10));
    assert_eq!(t1(&d, "本年支出合计", "支出"), t1(&p, "本年支出合计", "支出") - Decimal::from(10));
    // The offset consolidation still passes every rule.
    let o = bin().arg("check").arg(&off).args(["--json", "-"]).output().unwrap();
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["files"][0]["findings"].as_array().unwrap().is_empty(), "{}", j["files"][0]["findings"]);
    // 审核结果 records the offset.
    let wb = juesuan::workbook::open(&off).unwrap();
    let audit = wb.sheets.iter().find(|s| &*s.name == "审核结果").unwrap();
    assert!(audit.rows().any(|(_, c)| c.iter().any(|(_, v)| v.text() == "offset-internal")));

    // A subordinate one level down: its own node (乡镇, no supervisor) keeps the
    // flows as submitted; the supervisor's node and the root offset them.
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("甲县/乡镇")).unwrap();
    std::fs::copy(node.join("甲县教育局[主管].xlsx"), tree.join("甲县/甲县教育局[主管].xlsx")).unwrap();
    std::fs::copy(node.join("甲县第一中学[下属].xlsx"), tree.join("甲县/乡镇/甲县第一中学[下属].xlsx"))
        .unwrap();
    let out = dir.path().join("tree-out");
    let o = bin()
        .arg("consolidate")
        .arg(&tree)
        .arg("-o")
        .arg(out.join("root.xlsx"))
        .arg("--by-dir")
        .arg(out.join("nodes"))
        .args(["--offset-internal", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let town = read(&out.join("nodes/甲县/乡镇.xlsx"));
    assert_eq!(t1(&town, "上级补助收入", "收入"), Decimal::from(10));
    for name in ["nodes/甲县.xlsx", "root.xlsx"] {
        let d = read(&out.join(name));
        assert_eq!(t1(&d, "上级补助收入", "收入"), Decimal::ZERO, "{name}");
        assert_eq!(t1(&d, "本年收入合计", "收入"), t1(&p, "本年收入合计", "收入") - Decimal::from(10));
    }
}

/// `dep` in 元 times `1 + m/10000`: every equality still holds exactly, every
/// amount is whole cents of 元, and the 万元 values get sub-cent remainders.
fn perturbed(dep: &Department, m: i64, name: &str) -> Department {
    let mut d = juesuan::samples::scaled(dep, 1, name);
    d.convert_unit(Unit::Yuan);
    let f = Decimal::ONE + Decimal::new(m, 4);
    for t in d.tables.values_mut() {
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                a.value = (a.value * f).normalize();
            }
        }
    }
    d
}

mod balance_property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, max_shrink_iters: 4, ..ProptestConfig::default() })]

        /// Random trees of random departments, submitted in 元 (arbitrary cents)
        /// or in 万元 (so each input carries its own rounding), consolidated in
        /// 万元 and in 元: every node's written tables pass every rule exactly
        /// (no error, no rounding note), and every amount is within the bound of
        /// the README's 舍位平衡 section: 0.02 of the output unit, plus the gap
        /// the 万元 inputs' own rounding may leave in one relation (0.005 万元 per
        /// amount of the largest relation, per 万元 input).
        #[test]
        fn outputs_balance(units in proptest::collection::vec((1i64..9999, any::<bool>(), 0usize..4, any::<bool>()), 2..7), yuan_out in any::<bool>()) {
            let t = Templates::embedded();
            let dir = tempfile::tempdir().unwrap();
            let input = dir.path().join("某市");
            let mut want: BTreeMap<String, Values> = BTreeMap::new();
            let mut coarse: BTreeMap<String, i64> = BTreeMap::new();
            for (i, (m, seed_b, place, wan)) in units.iter().enumerate() {
                let nodes: &[&str] = [&["甲县"][..], &["乙县"], &["乙县", "乡镇"], &[]][*place];
                let base = seed(if *seed_b { "002" } else { "000" });
                let mut dep = perturbed(&base, *m, &format!("单位{i}"));
                let unit = if *wan { Unit::WanYuan } else { Unit::Yuan };
                if *wan {
                    // As printed in 万元: each amount rounded on its own, so the
                    // input's equalities hold only within rounding.
                    dep.convert_unit(Unit::WanYuan);
                    for t in dep.tables.values_mut() {
                        for r in &mut t.rows {
                            for a in r.cells.values_mut() {
                                a.value = a.value.round_dp(2);
                            }
                        }
                    }
                }
                let mut path = input.clone();
                for n in nodes { path.push(n); }
                let file = path.join(format!("单位{i}.xlsx"));
                write(&file, &dep, unit, Style::default());
                // What the tool reads: the amounts as written (rounded to 0.01 万元 for 万元).
                let v = values(&read(&file));
                let mut key = String::new();
                for n in std::iter::once(&"").chain(nodes.iter()) {
                    if !n.is_empty() { key = if key.is_empty() { (*n).to_string() } else { format!("{key}/{n}") }; }
                    add(want.entry(key.clone()).or_default(), &v);
                    *coarse.entry(key.clone()).or_default() += i64::from(*wan);
                }
            }
            let out = dir.path().join("out");
            let mut cmd = bin();
            cmd.arg("consolidate").arg(&input).arg("-o").arg(out.join("某市.xlsx"))
                .arg("--by-dir").arg(out.join("nodes")).arg("--quiet");
            if yuan_out { cmd.args(["--unit", "元"]); }
            let o = cmd.output().unwrap();
            prop_assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
            for (node, w) in &want {
                let path = if node.is_empty() { out.join("某市.xlsx") } else { out.join("nodes").join(format!("{node}.xlsx")) };
                let (report, dep) = juesuan::check::check_file(&path, &t);
                prop_assert!(report.findings.is_empty(), "{node}: {:#?}", report.findings);
                let dep = dep.unwrap();
                let largest = juesuan::rules::eval::equalities(&t.rules, &dep, &t.layouts, &t.messages)
                    .iter().map(Vec::len).max().unwrap_or(0) as i64;
                let got = values(&dep);
                // In 元: two cents of the output unit plus 50 元 per amount of the
                // largest relation per 万元 input.
                let cent = if yuan_out { Decimal::new(2, 2) } else { Decimal::from(200) };
                let bound = cent + Decimal::from(50 * coarse[node] * largest);
                let mut far = Vec::new();
                for (k, v) in w {
                    let g = got.get(k).copied().unwrap_or_default();
                    if (g - v).abs() > bound { far.push(format!("{k:?}: written {g} 元, exact {v}")); }
                }
                prop_assert!(far.is_empty(), "{node}: {} amounts beyond {bound} 元: {far:#?}", far.len());
            }
        }
    }
}

/// A workbook output inside an input directory would be read as an input by
/// the next night's run: refused up front (exit 2), before anything is written.
#[test]
fn outputs_inside_an_input_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("报送");
    write(&input.join("甲县/a.xlsx"), &seed("000"), Unit::WanYuan, Style::default());
    for extra in [vec!["-o".into(), input.join("汇总.xlsx")], {
        let o = dir.path().join("x.xlsx");
        vec!["-o".into(), o, "--by-dir".into(), input.join("分级")]
    }] {
        let o = bin().arg("consolidate").arg(&input).args(&extra).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("输入目录"));
    }
    assert!(!input.join("汇总.xlsx").exists() && !input.join("分级").exists());
}

/// Several input directories are each a node; node names keep their dots; a
/// rerun gives byte-identical workbooks and JSON, also per node.
#[test]
fn several_inputs_are_nodes_and_reruns_are_identical() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("甲县.2024");
    let b = dir.path().join("乙县");
    write(&a.join("u1.xlsx"), &seed("000"), Unit::WanYuan, Style::default());
    write(&b.join("乡镇/u2.xlsx"), &seed("002"), Unit::Yuan, Style::default());
    let out = dir.path().join("out");
    let run = || {
        let o = bin()
            .arg("consolidate")
            .arg(&a)
            .arg(&b)
            .arg("-o")
            .arg(out.join("全市.xlsx"))
            .arg("--by-dir")
            .arg(out.join("分级"))
            .arg("--json")
            .arg(out.join("summary.json"))
            .arg("--quiet")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let mut stack = vec![out.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        files.sort();
        files
    };
    let first = run();
    let names: Vec<String> =
        first.iter().map(|(p, _)| p.strip_prefix(&out).unwrap().display().to_string()).collect();
    assert_eq!(
        names,
        ["summary.json", "全市.xlsx", "分级/乙县/乡镇.xlsx", "分级/乙县.xlsx", "分级/甲县.2024.xlsx"]
    );
    assert!(run() == first, "a rerun on the same inputs writes the same bytes");
    let j: serde_json::Value = serde_json::from_slice(&first[0].1).unwrap();
    assert_eq!(j["inputs"], 2);
    assert_eq!(j["files"].as_array().unwrap().len(), 2);
    // Each input's entry is the check report of cli.md, tables found included.
    for f in j["files"].as_array().unwrap() {
        let tables = f["tables"].as_array().unwrap();
        assert_eq!(tables.len(), 13, "{f}");
        assert!(tables[0]["title"].is_string() && tables[0]["sheet"].is_string(), "{f}");
    }
    assert_eq!(j["outputs"].as_array().unwrap().len(), 4);
    assert_eq!(j["summary"]["files"], 2);
    let mut want = values(&read(&out.join("分级/甲县.2024.xlsx")));
    add(&mut want, &values(&read(&out.join("分级/乙县.xlsx"))));
    assert_same(&values(&read(&out.join("全市.xlsx"))), &want, "全市 = 甲县.2024 + 乙县");
}
