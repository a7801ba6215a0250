//! Reader and writer round trips: every layout variant reads back to the same
//! model, with the right source cells; `template` and `convert` through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test and tool code: a panic is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use juesuan::config::Templates;
use juesuan::model::extract::read_department;
use juesuan::model::{Department, RowKey, Unit};
use juesuan::report::standard::{Options, Style, workbook};
use rust_decimal::Decimal;

mod support;
use support::bin;

type Values = BTreeMap<(u8, Option<String>, RowKey, String), Decimal>;

/// Every amount of a department, by table, side, row and column.
fn values(dep: &Department) -> Values {
    let mut out = BTreeMap::new();
    for (no, t) in &dep.tables {
        for r in &t.rows {
            for (c, a) in &r.cells {
                out.insert((*no, r.side.clone(), r.key.clone(), c.clone()), a.value.normalize());
            }
        }
    }
    out
}

/// Asserts equal value maps, printing only the differences.
fn assert_same(a: &Values, b: &Values, what: &str) {
    let mut diffs = Vec::new();
    for (k, v) in a {
        if b.get(k) != Some(v) {
            diffs.push(format!("{k:?}: {v} vs {:?}", b.get(k)));
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            diffs.push(format!("{k:?}: missing vs {:?}", b.get(k)));
        }
    }
    assert!(
        diffs.is_empty(),
        "{what}: {} differences, first: {:#?}",
        diffs.len(),
        &diffs[..diffs.len().min(8)]
    );
}

/// Every amount's source cell, looked up in the raw sheet, holds that amount.
fn assert_cells_hold_their_amounts(path: &Path, dep: &Department) {
    use juesuan::workbook::normalize::parse_amount;
    let wb = juesuan::workbook::open(path).unwrap();
    let mut checked = 0;
    for t in dep.tables.values() {
        for r in &t.rows {
            for a in r.cells.values() {
                let sheet = wb.sheets.iter().find(|s| s.name == a.at.sheet).unwrap();
                let raw =
                    parse_amount(sheet.get(a.at.row, a.at.col)).unwrap().map(|x| x.0).unwrap_or_default();
                assert_eq!(raw, a.value, "{}", a.at);
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

fn seeds() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/src/seed_tables.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, dep: &Department, unit: Unit, style: Style) -> PathBuf {
    let t = Templates::embedded();
    let mut d = dep.clone();
    d.convert_unit(unit);
    let opts = Options {
        department: d.department.clone(),
        year: d.year,
        unit,
        precision: None,
        blank: false,
        style,
    };
    let mut wb = workbook(&d, &t.layouts, &t.messages, &opts).unwrap();
    let path = dir.join(name);
    juesuan::report::save::save(&mut wb, &path).unwrap();
    path
}

fn read(path: &Path) -> Department {
    let t = Templates::embedded();
    let wb = juesuan::workbook::open(path).unwrap();
    read_department(&wb, &t.layouts, &t.messages)
}

fn styles() -> Vec<(&'static str, Unit, Style)> {
    vec![
        ("standard", Unit::WanYuan, Style::default()),
        ("split", Unit::WanYuan, Style { split_codes: true, ..Style::default() }),
        ("yuan", Unit::Yuan, Style::default()),
        (
            "alias_shuffled_offset",
            Unit::WanYuan,
            Style { alias_titles: true, shuffled_sheets: true, offset: (3, 2), ..Style::default() },
        ),
        ("stacked_text", Unit::WanYuan, Style { stacked: true, text_numbers: true, ..Style::default() }),
    ]
}

#[test]
fn every_layout_variant_reads_back_to_the_seed_model() {
    let t = Templates::embedded();
    let seeds = seeds();
    let dir = tempfile::tempdir().unwrap();
    for key in ["000", "002"] {
        let seed = juesuan::samples::seed_department(&seeds[key], &t.layouts, false);
        assert_eq!(seed.tables.len(), 13);
        for (name, unit, style) in styles() {
            let path = write(dir.path(), &format!("{key}_{name}.xlsx"), &seed, unit, style);
            let mut got = read(&path);
            assert_eq!(got.tables.len(), 13, "{key} {name}: missing {:?}", got.missing);
            assert!(got.findings.is_empty(), "{key} {name}: {:?}", got.findings);
            assert_eq!(got.unit, Some(unit), "{key} {name}");
            assert_eq!(got.department, seed.department, "{key} {name}");
            assert_eq!(got.year, seed.year, "{key} {name}");
            assert_cells_hold_their_amounts(&path, &got);
            got.convert_unit(Unit::WanYuan);
            assert_same(&values(&got), &values(&seed), &format!("{key} {name}"));
        }
    }
}

#[test]
fn source_cells_are_absolute_even_with_leading_blank_rows_and_columns() {
    let t = Templates::embedded();
    let seed = juesuan::samples::seed_department(&seeds()["000"], &t.layouts, false);
    let dir = tempfile::tempdir().unwrap();
    let plain = read(&write(dir.path(), "a.xlsx", &seed, Unit::WanYuan, Style::default()));
    let shifted = read(&write(
        dir.path(),
        "b.xlsx",
        &seed,
        Unit::WanYuan,
        Style { offset: (3, 2), ..Style::default() },
    ));
    // T2 合计 / 本年收入合计 is the first amount: row 6 (title, unit line, 2 header rows, …), column C.
    let cell = |d: &Department| {
        d.table(2).unwrap().row_by_label("合计").unwrap().get("本年收入合计").unwrap().at.clone()
    };
    let a = cell(&plain);
    assert_eq!((a.sheet.as_ref(), a.a1().as_str()), ("02 收入决算表", "C5"));
    let b = cell(&shifted);
    assert_eq!(b.a1(), "E8", "offset (3 rows, 2 cols) must show in the address");
    // The title cell too.
    assert_eq!(shifted.table(2).unwrap().title_at.a1(), "C4");
}

/// A hand-made Shanghai-style workbook: 行次 columns and a 栏次 row in T1,
/// T8 as two side-by-side (编码, 名称, 决算数) blocks with the 人员经费合计 footer,
/// T13 in the interleaved (subject over 预算数/决算数) order, a title with the
/// department and year in it, and the tables stacked on one sheet.
#[test]
fn shanghai_style_layouts_with_line_numbers_pairs_and_interleaved_columns() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sh.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("公开表").unwrap();
    let s = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, t: &str| {
        ws.write_string(r, c, t).unwrap();
    };
    // T1 at row 0.
    s(ws, 0, 0, "某区社会工作部2024年度收入支出决算总表");
    s(ws, 1, 0, "部门：某区社会工作部");
    s(ws, 1, 5, "金额单位：万元");
    s(ws, 2, 0, "收入");
    s(ws, 2, 3, "支出");
    for (c, h) in ["项目", "行次", "决算数", "项目", "行次", "决算数"].iter().enumerate() {
        s(ws, 3, c as u16, h);
    }
    s(ws, 4, 0, "栏次");
    ws.write_number(4, 2, 1).unwrap();
    ws.write_number(4, 5, 2).unwrap();
    let rows = [
        ("一、一般公共预算财政拨款收入", 105.58, "一、一般公共服务支出", 105.58),
        ("二、政府性基金预算财政拨款收入", 0.0, "本年支出合计", 105.58),
        ("本年收入合计", 105.58, "年末结转和结余", 0.0),
        ("年初结转和结余", 0.0, "总计", 105.58),
        ("总计", 105.58, "", 0.0),
    ];
    for (i, (l, v, r, w)) in rows.iter().enumerate() {
        let row = 5 + i as u32;
        s(ws, row, 0, l);
        ws.write_number(row, 1, (i + 1) as f64).unwrap();
        ws.write_number(row, 2, *v).unwrap();
        if !r.is_empty() {
            s(ws, row, 3, r);
            ws.write_number(row, 4, (i + 30) as f64).unwrap();
            ws.write_number(row, 5, *w).unwrap();
        }
    }
    // T8 at row 12: two blocks.
    s(ws, 12, 0, "一般公共预算财政拨款基本支出决算表");
    for (c, h) in ["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"]
        .iter()
        .enumerate()
    {
        s(ws, 13, c as u16, h);
    }
    let t8 = [
        ("301", "工资福利支出", 95.36, "302", "商品和服务支出", 10.23),
        ("30101", "基本工资", 95.36, "30201", "办公费", 10.23),
    ];
    for (i, (a, b, v, c, d, w)) in t8.iter().enumerate() {
        let row = 14 + i as u32;
        s(ws, row, 0, a);
        s(ws, row, 1, b);
        ws.write_number(row, 2, *v).unwrap();
        s(ws, row, 3, c);
        s(ws, row, 4, d);
        ws.write_number(row, 5, *w).unwrap();
    }
    s(ws, 16, 0, "人员经费合计");
    ws.write_number(16, 2, 95.36).unwrap();
    s(ws, 16, 3, "公用经费合计");
    ws.write_number(16, 5, 10.23).unwrap();
    s(ws, 17, 0, "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。");
    // T13 at row 20: Shanghai interleaved order, merged headers.
    s(ws, 20, 0, "财政拨款“三公”经费支出决算表");
    let hdr = rust_xlsxwriter::Format::new();
    ws.merge_range(21, 0, 21, 11, "财政拨款“三公”经费", &hdr).unwrap();
    let subjects = ["合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"];
    ws.merge_range(22, 0, 23, 1, subjects[0], &hdr).unwrap();
    ws.merge_range(22, 2, 23, 3, subjects[1], &hdr).unwrap();
    ws.merge_range(22, 4, 22, 9, subjects[2], &hdr).unwrap();
    ws.merge_range(22, 10, 23, 11, subjects[3], &hdr).unwrap();
    ws.merge_range(23, 4, 23, 5, "小计", &hdr).unwrap();
    ws.merge_range(23, 6, 23, 7, "公务用车购置费", &hdr).unwrap();
    ws.merge_range(23, 8, 23, 9, "公务用车运行维护费", &hdr).unwrap();
    for c in 0..12u16 {
        s(ws, 24, c, if c % 2 == 0 { "预算数" } else { "决算数" });
    }
    let amounts = [6.2, 6.06, 0.0, 0.0, 5.2, 5.07, 0.0, 0.0, 5.2, 5.07, 1.0, 0.99];
    for (c, v) in amounts.iter().enumerate() {
        ws.write_number(25, c as u16, *v).unwrap();
    }
    wb.save(&path).unwrap();

    let d = read(&path);
    assert_eq!(d.department.as_deref(), Some("某区社会工作部"));
    assert_eq!(d.year, Some(2024));
    let t1 = d.table(1).unwrap();
    let inc = t1.row(&RowKey::Label("本年收入合计".into()), Some("收入")).unwrap();
    assert_eq!(inc.get("决算数").unwrap().value, Decimal::new(10558, 2));
    assert_eq!(inc.get("决算数").unwrap().at.a1(), "C8");
    let class = t1.row(&RowKey::Code("201".into()), Some("支出")).unwrap();
    assert_eq!(class.get("决算数").unwrap().at.a1(), "F6");
    assert!(t1.row(&RowKey::Label("收入总计".into()), Some("收入")).is_some());
    assert!(t1.row(&RowKey::Label("支出总计".into()), Some("支出")).is_some());
    let t8 = d.table(8).unwrap();
    assert_eq!(t8.row_by_code("30201").unwrap().get("决算数").unwrap().at.a1(), "F16");
    assert_eq!(t8.row_by_label("公用经费合计").unwrap().get("决算数").unwrap().value, Decimal::new(1023, 2));
    assert_eq!(t8.row_by_label("人员经费合计").unwrap().get("决算数").unwrap().at.a1(), "C17");
    let t13 = d.table(13).unwrap();
    let r = &t13.rows[0];
    assert_eq!(r.get("决算数/公务接待费").unwrap().value, Decimal::new(99, 2));
    assert_eq!(r.get("预算数/公务用车购置及运行维护费").unwrap().at.a1(), "E26");
    assert_eq!(r.get("决算数/公务用车运行维护费").unwrap().value, Decimal::new(507, 2));
    assert!(d.findings.iter().all(|f| f.rule != "cell-not-number"), "{:?}", d.findings);
}

#[test]
fn bad_cells_are_reported_with_their_cell_never_taken_as_zero() {
    use rust_xlsxwriter::{Formula, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "一般公共预算财政拨款支出决算表").unwrap();
    for (c, h) in ["科目编码", "科目名称", "合计", "基本支出", "项目支出"].iter().enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 0, "206").unwrap();
    ws.write_string(2, 1, "科学技术支出").unwrap();
    ws.write_string(2, 2, "见附件").unwrap();
    ws.write_formula(2, 3, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    ws.write_string(2, 4, "１２．５").unwrap();
    wb.save(&path).unwrap();
    let d = read(&path);
    let t6 = d.table(6).unwrap();
    let row = t6.row_by_code("206").unwrap();
    assert!(row.get("合计").is_none(), "text must not become an amount");
    assert!(row.get("基本支出").is_none(), "an error value must not become an amount");
    assert_eq!(row.get("项目支出").unwrap().value, Decimal::new(125, 1));
    let bad: Vec<String> =
        d.findings.iter().filter(|f| f.rule == "cell-not-number").map(|f| f.cells[0].a1()).collect();
    assert_eq!(bad, ["C3", "D3"]);
    assert_eq!(d.coercions.len(), 1);
    assert_eq!(d.coercions[0].at.a1(), "E3");
}

#[test]
fn template_reads_back_as_all_thirteen_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("blank.xlsx");
    let st = bin().args(["template", "-o"]).arg(&out).args(["--year", "2024"]).output().unwrap().status;
    assert!(st.success());
    let d = read(&out);
    assert_eq!(d.tables.len(), 13, "missing {:?}", d.missing);
    assert_eq!(d.year, Some(2024));
    // Fixed rows and every 功能分类 类 row are there.
    let t1 = d.table(1).unwrap();
    assert!(t1.row(&RowKey::Code("234".into()), Some("支出")).is_some());
    assert!(t1.row(&RowKey::Label("使用非财政拨款结余".into()), Some("收入")).is_some());
    let again = dir.path().join("blank2.xlsx");
    assert!(
        bin()
            .args(["template", "-o"])
            .arg(&again)
            .args(["--year", "2024"])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&again).unwrap(),
        "template output must be deterministic"
    );
}

#[test]
fn convert_lists_coercions_and_changes_units() {
    let dir = tempfile::tempdir().unwrap();
    let t = Templates::embedded();
    let seed = juesuan::samples::seed_department(&seeds()["002"], &t.layouts, false);
    let input =
        write(dir.path(), "in.xlsx", &seed, Unit::WanYuan, Style { text_numbers: true, ..Style::default() });
    let before = std::fs::read(&input).unwrap();
    let out = dir.path().join("out.xlsx");
    let o = bin().arg("convert").arg(&input).arg("-o").arg(&out).args(["--unit", "元"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}");
    assert!(stdout.contains("按数字"), "{stdout}");
    assert!(stdout.contains("万元 换算为 元"), "{stdout}");
    assert_eq!(std::fs::read(&input).unwrap(), before, "input must not change");
    let mut back = read(&out);
    assert_eq!(back.unit, Some(Unit::Yuan));
    back.convert_unit(Unit::WanYuan);
    assert_same(&values(&back), &values(&seed), "convert --unit 元");
    // Refuses to overwrite its input.
    let o = bin().arg("convert").arg(&input).arg("-o").arg(&input).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Every combination of the writer's layout variants (`Style::variant`:
        /// side-by-side T8 blocks with or without a group header, split codes,
        /// repeated page headers, numbered and year titles, notes, hidden spacer
        /// columns and rows, 行次/栏次, stacked tables, 表N / SheetN sheet
        /// names, offsets, text amounts), in 万元 or 元, reads back to the seed
        /// model with no reader finding.
        #[test]
        fn any_combination_of_layout_variants_reads_back_to_the_seed_model(seed_key in 0usize..2, bits in 0u32..(1 << 15), yuan in any::<bool>()) {
            let t = Templates::embedded();
            let seed = juesuan::samples::seed_department(&seeds()[["000", "002"][seed_key]], &t.layouts, false);
            let unit = if yuan { Unit::Yuan } else { Unit::WanYuan };
            let style = Style::variant(bits);
            let dir = tempfile::tempdir().unwrap();
            let path = write(dir.path(), "v.xlsx", &seed, unit, style.clone());
            let mut got = read(&path);
            prop_assert_eq!(got.tables.len(), 13, "{:?}: missing {:?}, {:?}", style, got.missing, got.findings.iter().map(|f| &f.message).take(6).collect::<Vec<_>>());
            prop_assert!(got.findings.is_empty(), "{:?}: {:?}", style, got.findings.iter().map(|f| (&f.rule, &f.message, f.cells.first().map(|c| c.to_string()))).take(6).collect::<Vec<_>>());
            prop_assert_eq!(got.unit, Some(unit));
            prop_assert_eq!(&got.department, &seed.department, "{:?}", style);
            prop_assert_eq!(got.year, seed.year);
            got.convert_unit(Unit::WanYuan);
            assert_same(&values(&got), &values(&seed), &format!("{style:?}"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// For generated departments in every layout variant, the model read from
        /// `convert`'s output equals the model read from the input.
        #[test]
        fn convert_preserves_the_model(seed_key in 0usize..2, style_ix in 0usize..5, factor in 1i64..500, cents in 0i64..100) {
            let t = Templates::embedded();
            let key = ["000", "002"][seed_key];
            let mut dep = juesuan::samples::seed_department(&seeds()[key], &t.layouts, false);
            for tab in dep.tables.values_mut() {
                for r in &mut tab.rows {
                    for a in r.cells.values_mut() {
                        a.value = a.value * Decimal::from(factor) + Decimal::new(cents, 2);
                    }
                }
            }
            let (name, unit, style) = styles().swap_remove(style_ix);
            let dir = tempfile::tempdir().unwrap();
            let input = write(dir.path(), &format!("{name}.xlsx"), &dep, unit, style);
            let first = read(&input);
            let out = dir.path().join("converted.xlsx");
            let o = bin().arg("convert").arg(&input).arg("-o").arg(&out).output().unwrap();
            prop_assert!(o.status.success());
            let second = read(&out);
            prop_assert_eq!(values(&first), values(&second));
        }
    }
}

/// `samples/` is generated: regenerating it gives the checked-in bytes
/// (run `cargo run --example gen_samples` after changing the generator).
#[test]
fn samples_are_up_to_date() {
    let t = Templates::embedded();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    for e in std::fs::read_dir(root.join("src")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join("src").join(p.file_name().unwrap())).unwrap();
    }
    let files = juesuan::samples::generate(dir.path(), &t.layouts, &t.messages).unwrap();
    assert!(files.len() >= 10);
    for f in files {
        let fresh = std::fs::read(dir.path().join(&f)).unwrap();
        let kept = std::fs::read(root.join(&f)).unwrap_or_default();
        assert!(fresh == kept, "samples/{f} is stale: run `cargo run --example gen_samples`");
    }
}

/// `.xls` (BIFF8, with merged headers) and `.ods` (no merge information: the
/// header heuristic) read back to the same model; formats are detected by
/// content, so a wrong extension changes nothing. The files are made by
/// `samples/src/other_formats.py` from the standard xlsx sample.
#[test]
fn xls_and_ods_read_back_to_the_seed_model_whatever_their_extension() {
    let t = Templates::embedded();
    let seed = juesuan::samples::seed_department(&seeds()["000"], &t.layouts, false);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/variants");
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("攀枝花市科学技术协会2024.xls", juesuan::workbook::Format::Xls),
        ("攀枝花市科学技术协会2024.ods", juesuan::workbook::Format::Ods),
    ] {
        for ext in ["orig", "xlsx"] {
            let path = if ext == "orig" {
                root.join(name)
            } else {
                let p = dir.path().join(format!("{name}.wrong.xlsx"));
                std::fs::copy(root.join(name), &p).unwrap();
                p
            };
            let wb = juesuan::workbook::open(&path).unwrap();
            assert_eq!(wb.format, format);
            let got = read_department(&wb, &t.layouts, &t.messages);
            assert_eq!(got.tables.len(), 13, "{name}: missing {:?}", got.missing);
            assert!(got.findings.is_empty(), "{name}: {:?}", got.findings);
            assert_same(&values(&got), &values(&seed), name);
        }
    }
}
