//! Building sample departments: from the seed documents' figures
//! (`samples/src/seed_tables.json`) and invented county units derived from them.
//!
//! Used by `examples/gen_samples.rs` (which writes `samples/`), by the tests and
//! by the benchmark generator. Nothing here reads or writes workbooks. Behind the
//! `test-support` feature: the binary never needs it, and tests and examples get
//! it through the crate's self dev-dependency in `Cargo.toml`.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::location::CellRef;
use crate::model::{Amount, Column, Department, Row, RowKey, Table, Unit};
use crate::template::Layouts;
use crate::text::{norm_header, norm_label};

fn dec(v: &Json) -> Decimal {
    v.as_str().and_then(|s| Decimal::from_str(s.trim()).ok()).unwrap_or_default()
}

struct Builder<'a> {
    layouts: &'a Layouts,
    no: u8,
    rows: Vec<Row>,
    cols: Vec<Column>,
    file: Arc<str>,
    sheet: Arc<str>,
    seen: Vec<String>,
}

impl Builder<'_> {
    fn col_id(&mut self, side: Option<&str>, name: &str) -> String {
        let layout = self.layouts.table(self.no);
        let path = norm_header(&name.replace('-', "/"));
        let id = layout.and_then(|l| l.match_column(side, &path, &[])).map_or(path.clone(), |c| c.id.clone());
        if !self.cols.iter().any(|c| c.id == id && c.side.as_deref() == side) {
            let col = u32::try_from(self.cols.len()).unwrap_or(0) + 2;
            self.cols.push(Column { id: id.clone(), path, side: side.map(String::from), col, known: true });
        }
        id
    }

    fn key(&mut self, side: Option<&str>, code: Option<&str>, name: &str) -> RowKey {
        if let Some(c) = code.filter(|c| !c.is_empty()) {
            return RowKey::Code(c.to_string());
        }
        let norm = norm_label(name);
        let id = self
            .layouts
            .table(self.no)
            .and_then(|l| l.match_row(side, &norm, &self.seen))
            .map_or(norm, |r| r.id.clone());
        self.seen.push(id.clone());
        RowKey::Label(id)
    }

    fn push(&mut self, side: Option<&str>, code: Option<&str>, name: &str, values: &[(String, Decimal)]) {
        let key = self.key(side, code, name);
        let r = u32::try_from(self.rows.len()).unwrap_or(0) + 5;
        let cells = values
            .iter()
            .enumerate()
            .map(|(i, (id, v))| {
                let at =
                    CellRef::new(self.file.clone(), self.sheet.clone(), r, 2 + u32::try_from(i).unwrap_or(0));
                (id.clone(), Amount { value: *v, at })
            })
            .collect::<BTreeMap<_, _>>();
        let at = CellRef::new(self.file.clone(), self.sheet.clone(), r, 0);
        self.rows.push(Row { key, side: side.map(String::from), label: name.trim().to_string(), at, cells });
    }
}

/// A department from one seed entry (`"000"` or `"002"`); `exact` applies the
/// seed's `exact_patch`, giving the variant in which every equality holds.
pub fn seed_department(seed: &Json, layouts: &Layouts, exact: bool) -> Department {
    let file: Arc<str> = Arc::from("seed");
    let unit = Unit::parse(seed["unit"].as_str().unwrap_or("万元")).unwrap_or_default();
    let mut dep = Department {
        path: String::from("seed"),
        department: seed["department"].as_str().map(String::from),
        year: seed["year"].as_str().and_then(|y| y.parse().ok()),
        unit: Some(unit),
        ..Department::default()
    };
    for t in seed["tables"].as_array().into_iter().flatten() {
        let no = u8::try_from(t["table_no"].as_u64().unwrap_or(0)).unwrap_or(0);
        let Some(layout) = layouts.table(no) else { continue };
        let mut b = Builder {
            layouts,
            no,
            rows: Vec::new(),
            cols: Vec::new(),
            file: file.clone(),
            sheet: Arc::from(layout.title.as_str()),
            seen: Vec::new(),
        };
        let arr = |k: &str| t[k].as_array().cloned().unwrap_or_default();
        match no {
            1 | 4 => {
                for r in arr("income") {
                    let id = b.col_id(Some("收入"), "决算数");
                    b.push(Some("收入"), None, r["name"].as_str().unwrap_or(""), &[(id, dec(&r["决算数"]))]);
                }
                let exp_cols: Vec<String> =
                    arr("expenditure_columns").iter().filter_map(|c| c.as_str().map(String::from)).collect();
                for r in arr("expenditure") {
                    let vals: Vec<(String, Decimal)> = if exp_cols.is_empty() {
                        vec![(b.col_id(Some("支出"), "决算数"), dec(&r["决算数"]))]
                    } else {
                        let vs = r["values"].as_array().cloned().unwrap_or_default();
                        exp_cols
                            .iter()
                            .zip(vs.iter())
                            .map(|(c, v)| (b.col_id(Some("支出"), c), dec(v)))
                            .collect()
                    };
                    b.push(Some("支出"), r["code"].as_str(), r["name"].as_str().unwrap_or(""), &vals);
                }
            }
            8 => {
                let id = b.col_id(None, "决算数");
                for k in ["人员经费", "公用经费"] {
                    for r in arr(k) {
                        b.push(
                            None,
                            r["code"].as_str(),
                            r["name"].as_str().unwrap_or(""),
                            &[(id.clone(), dec(&r["决算数"]))],
                        );
                    }
                }
                for k in ["人员经费合计", "公用经费合计", "合计"] {
                    if !t[k].is_null() {
                        b.push(None, None, k, &[(id.clone(), dec(&t[k]))]);
                    }
                }
            }
            9 => {
                let id = b.col_id(None, "决算数");
                for r in arr("rows") {
                    b.push(
                        None,
                        r["code"].as_str(),
                        r["name"].as_str().unwrap_or(""),
                        &[(id.clone(), dec(&r["本年支出"]))],
                    );
                }
            }
            13 => {
                let cols: Vec<String> =
                    arr("columns").iter().filter_map(|c| c.as_str().map(String::from)).collect();
                let mut vals = Vec::new();
                for r in arr("rows") {
                    let block = r["name"].as_str().unwrap_or("");
                    for (c, v) in cols.iter().zip(r["values"].as_array().cloned().unwrap_or_default().iter())
                    {
                        vals.push((b.col_id(None, &format!("{block}-{c}")), dec(v)));
                    }
                }
                b.push(None, None, "三公经费", &vals);
            }
            _ => {
                let cols: Vec<String> =
                    arr("columns").iter().filter_map(|c| c.as_str().map(String::from)).collect();
                for r in arr("rows") {
                    let vs = r["values"].as_array().cloned().unwrap_or_default();
                    let vals: Vec<(String, Decimal)> =
                        cols.iter().zip(vs.iter()).map(|(c, v)| (b.col_id(None, c), dec(v))).collect();
                    b.push(None, r["code"].as_str(), r["name"].as_str().unwrap_or(""), &vals);
                }
            }
        }
        let note = t["note"].as_str().map(|_| {
            format!("说明：{}本年度无此项收支，故本表无数据。", dep.department.clone().unwrap_or_default())
        });
        dep.tables.insert(
            no,
            Table {
                no,
                title: layout.title.clone(),
                sheet: layout.title.clone(),
                title_at: CellRef::new(file.clone(), Arc::from(layout.title.as_str()), 0, 0),
                unit: Some(unit),
                department: dep.department.clone(),
                year: dep.year,
                columns: b.cols,
                rows: b.rows,
                note,
                index: Default::default(),
            },
        );
    }
    if exact {
        for p in seed["exact_patch"].as_array().into_iter().flatten() {
            let no = u8::try_from(p["table_no"].as_u64().unwrap_or(0)).unwrap_or(0);
            let code = p["row_code"].as_str().unwrap_or("");
            let col = p["column"].as_str().unwrap_or("");
            if let Some(t) = dep.tables.get_mut(&no) {
                let key = if code.is_empty() {
                    RowKey::Label(norm_label(p["row_name"].as_str().unwrap_or("合计")))
                } else {
                    RowKey::Code(code.to_string())
                };
                if let Some(a) = t.rows.iter_mut().find(|r| r.key == key).and_then(|r| r.cells.get_mut(col)) {
                    a.value = dec(&p["exact_value"]);
                }
            }
        }
    }
    dep.missing = (1..=13).filter(|n| !dep.tables.contains_key(n)).collect();
    dep
}

/// A copy of `dep` with every amount multiplied by `factor` and a new name:
/// invented county units that keep every equality of an exact department.
pub fn scaled(dep: &Department, factor: i64, name: &str) -> Department {
    scaled_in(dep, factor, name, dep.year)
}

/// `scaled`, also moved to another year (units of one county report one year).
pub fn scaled_in(dep: &Department, factor: i64, name: &str, year: Option<i32>) -> Department {
    let mut d = dep.clone();
    d.department = Some(name.to_string());
    d.year = year;
    for t in d.tables.values_mut() {
        t.department = Some(name.to_string());
        t.year = year;
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                a.value *= Decimal::from(factor);
            }
        }
    }
    d
}

/// Last year's accounts of `now` for the `--prior` samples: the same
/// department a year earlier, its flows (every amount but the balances)
/// multiplied by `flows`, and its closing balances (年末) equal to this year's
/// opening ones (年初) in T1, T4 by fund, T10 and T11 — plus `carry_error` on
/// T1 and the 一般公共预算 fund of T4, to make a documented carry-over
/// mismatch. Opening balances and totals move with the closing ones, so every
/// rule of the year itself still holds.
pub fn a_year_earlier(now: &Department, flows: Decimal, carry_error: Decimal) -> Department {
    let mut d = now.clone();
    let year = now.year.map(|y| y - 1);
    d.year = year;
    for t in d.tables.values_mut() {
        t.year = year;
        for r in &mut t.rows {
            for a in r.cells.values_mut() {
                a.value = (a.value * flows).normalize();
            }
        }
    }
    let get = |d: &Department, no: u8, row: &str, col: &str| -> Decimal {
        d.table(no)
            .and_then(|t| t.rows.iter().find(|r| r.key.as_str() == row))
            .and_then(|r| r.get(col))
            .map_or(Decimal::ZERO, |a| a.value)
    };
    let add = |d: &mut Department, no: u8, row: &str, cols: &[&str], delta: Decimal| {
        if let Some(r) = d.tables.get_mut(&no).and_then(|t| t.rows.iter_mut().find(|r| r.key.as_str() == row))
        {
            for c in cols {
                if let Some(a) = r.cells.get_mut(*c) {
                    a.value += delta;
                }
            }
        }
    };
    let delta =
        get(now, 1, "年初结转和结余", "决算数") + carry_error - get(&d, 1, "年末结转和结余", "决算数");
    for row in ["年初结转和结余", "收入总计", "年末结转和结余", "支出总计"] {
        add(&mut d, 1, row, &["决算数"], delta);
    }
    for (i, fund) in
        ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"].iter().enumerate()
    {
        let error = if i == 0 { carry_error } else { Decimal::ZERO };
        let opening = format!("年初{fund}");
        let delta = get(now, 4, &opening, "决算数") + error - get(&d, 4, "年末财政拨款结转和结余", fund);
        for row in [opening.as_str(), "年初财政拨款结转和结余", "收入总计"] {
            add(&mut d, 4, row, &["决算数"], delta);
        }
        for row in ["年末财政拨款结转和结余", "支出总计"] {
            add(&mut d, 4, row, &[fund, "合计"], delta);
        }
    }
    for no in [10, 11] {
        let keys: Vec<String> = d
            .table(no)
            .map(|t| t.rows.iter().map(|r| r.key.as_str().to_string()).collect())
            .unwrap_or_default();
        for k in keys {
            let delta = get(now, no, &k, "年初结转和结余") - get(&d, no, &k, "年末结转和结余");
            add(&mut d, no, &k, &["年初结转和结余", "年末结转和结余"], delta);
        }
    }
    d
}

/// The 21 seed score sheets (`samples/src/seed_scoresheets.json`) as projects.
pub fn seed_projects(sheets: &Json) -> Vec<crate::score::Project> {
    use crate::score::{BudgetRow, Cell, Indicator, Project};
    let c = |v: &Json| Cell { text: v.as_str().unwrap_or("").to_string(), at: None };
    let mut out = Vec::new();
    for sh in sheets.as_array().into_iter().flatten() {
        let mut p =
            Project { name: sh["项目名称"].as_str().unwrap_or("").to_string(), ..Project::default() };
        let text = |k: &str| sh[k].as_str().unwrap_or("").to_string();
        let one = |label: &str, k: &str| vec![(label.to_string(), text(k))];
        let unit_label = sh["实施单位_label"].as_str().unwrap_or("实施单位");
        p.head = vec![one("主管部门", "主管部门"), one(unit_label, "实施单位")];
        p.middle = vec![one("项目年度目标", "项目年度目标"), one("年度目标完成情况", "年度目标完成情况")];
        if !text("项目实施内容及过程概述").trim().is_empty() {
            p.middle.push(one("项目实施内容及过程概述", "项目实施内容及过程概述"));
        }
        p.tail = vec![
            one("评价结论", "评价结论"),
            one("存在问题", "存在问题"),
            one("改进措施", "改进措施"),
            vec![
                ("项目负责人".to_string(), text("项目负责人")),
                ("财务负责人".to_string(), text("财务负责人")),
            ],
        ];
        for b in sh["预算执行情况"].as_array().into_iter().flatten() {
            p.budget.push(BudgetRow {
                label: b["项目"].as_str().unwrap_or("").to_string(),
                initial: c(&b["年初预算"]),
                adjusted: c(&b["调整后预算数"]),
                executed: c(&b["预算执行数"]),
                rate: c(&b["预算执行率"]),
                weight: c(&b["权重"]),
                score: c(&b["得分"]),
                reason: c(&b["原因"]),
            });
        }
        for i in sh["绩效指标"].as_array().into_iter().flatten() {
            p.indicators.push(Indicator {
                level1: i["一级指标_filled"].as_str().unwrap_or("").to_string(),
                level2: i["二级指标_filled"].as_str().unwrap_or("").to_string(),
                name: i["三级指标"].as_str().unwrap_or("").to_string(),
                nature: c(&i["指标性质"]),
                target: c(&i["指标值"]),
                unit: c(&i["度量单位"]),
                actual: c(&i["完成值"]),
                weight: c(&i["权重"]),
                score: c(&i["得分"]),
                reason: c(&i["未完成原因分析"]),
                stray: i["after_repeated_header"].as_bool().unwrap_or(false),
                level1_filled: i["一级指标_merged"].as_bool().unwrap_or(false),
                level2_filled: i["二级指标_merged"].as_bool().unwrap_or(false),
                level2_cell: Cell::default(),
            });
        }
        p.total_weight = c(&sh["合计"]["权重"]);
        p.total_score = c(&sh["合计"]["得分"]);
        p.total_note = c(&sh["合计"]["备注"]);
        out.push(p);
    }
    out
}

/// `county-2023/`: the county's accounts of the year before (for `--prior`),
/// consistent with 2024 except 甲县科学技术协会, whose 2023 年末 (T1 and T4
/// 一般公共预算) is 12.34 万元 more than its 2024 年初, and 乙县卫生健康局,
/// half its 2024 size in 2023 (every flow doubled since). See samples/README.md.
fn last_year(pzh_exact: &Department, ls_exact: &Department) -> Vec<Plan> {
    use crate::report::standard::Style;
    let earlier = |now: Department, flows: Decimal, error: Decimal| a_year_earlier(&now, flows, error);
    vec![
        Plan {
            rel: "county-2023/某市/甲县/甲县科学技术协会（虚构）.xlsx",
            dep: earlier(
                scaled(pzh_exact, 1, "甲县科学技术协会（虚构）"),
                Decimal::ONE,
                Decimal::new(1234, 2),
            ),
            unit: Unit::WanYuan,
            style: Style::default(),
        },
        Plan {
            rel: "county-2023/某市/甲县/甲县教育局（虚构）.xlsx",
            dep: earlier(scaled(pzh_exact, 3, "甲县教育局（虚构）"), Decimal::ONE, Decimal::ZERO),
            unit: Unit::Yuan,
            style: Style::default(),
        },
        Plan {
            rel: "county-2023/某市/乙县/乙县科学技术协会（虚构）.xlsx",
            dep: earlier(
                scaled_in(ls_exact, 1, "乙县科学技术协会（虚构）", Some(2024)),
                Decimal::ONE,
                Decimal::ZERO,
            ),
            unit: Unit::WanYuan,
            style: Style::default(),
        },
        Plan {
            rel: "county-2023/某市/乙县/乙县卫生健康局（虚构）.xlsx",
            dep: earlier(
                scaled_in(ls_exact, 2, "乙县卫生健康局（虚构）", Some(2024)),
                Decimal::new(5, 1),
                Decimal::ZERO,
            ),
            unit: Unit::WanYuan,
            style: Style { split_codes: true, ..Style::default() },
        },
    ]
}

/// One sample file to write: relative path, department, unit and layout style.
struct Plan {
    rel: &'static str,
    dep: Department,
    unit: Unit,
    style: crate::report::standard::Style,
}

/// Writes every 13-table sample under `root` (the repository's `samples/`),
/// from `root/src/seed_tables.json`. Returns the files written, relative to `root`.
///
/// # Errors
/// When the seed file is missing or a workbook cannot be written.
pub fn generate(
    root: &std::path::Path,
    layouts: &Layouts,
    msg: &crate::i18n::Catalog,
) -> anyhow::Result<Vec<String>> {
    use crate::report::standard::{Options, Style, workbook};
    let text = std::fs::read_to_string(root.join("src/seed_tables.json"))?;
    let seeds: Json = serde_json::from_str(&text)?;
    let pzh = seed_department(&seeds["000"], layouts, false);
    let ls = seed_department(&seeds["002"], layouts, false);
    let pzh_exact = seed_department(&seeds["000"], layouts, true);
    let ls_exact = seed_department(&seeds["002"], layouts, true);
    let plans = vec![
        Plan {
            rel: "攀枝花市科学技术协会2024.xlsx",
            dep: pzh.clone(),
            unit: Unit::WanYuan,
            style: Style::default(),
        },
        Plan {
            rel: "凉山州科学技术协会2023.xlsx",
            dep: ls.clone(),
            unit: Unit::WanYuan,
            style: Style::default(),
        },
        Plan {
            rel: "variants/攀枝花市科学技术协会2024_类款项分列.xlsx",
            dep: pzh.clone(),
            unit: Unit::WanYuan,
            style: Style { split_codes: true, ..Style::default() },
        },
        // In 元 there is no rounding envelope, so the 万元 document's 0.01
        // conflicts would be real errors: the 元 variant uses the exact figures.
        // The published form (issue 9): T8 as three blocks under 人员经费 |
        // 公用经费, pages repeating title and header every 20 rows, 公开NN表 /
        // 表N numbering, notes, 行次/栏次, hidden spacer columns, sheets 表1….
        Plan {
            rel: "variants/攀枝花市科学技术协会2024_公开格式.xlsx",
            dep: pzh.clone(),
            unit: Unit::WanYuan,
            style: Style {
                blocks: 3,
                group_header: true,
                repeat_header: 20,
                numbered_titles: true,
                notes: true,
                spacers: true,
                biao_sheet_names: true,
                line_numbers: true,
                ..Style::default()
            },
        },
        Plan {
            rel: "variants/攀枝花市科学技术协会2024_元.xlsx",
            dep: pzh_exact.clone(),
            unit: Unit::Yuan,
            style: Style::default(),
        },
        Plan {
            rel: "variants/凉山州科学技术协会2023_别名表名_乱序工作表.xlsx",
            dep: ls.clone(),
            unit: Unit::WanYuan,
            style: Style { alias_titles: true, shuffled_sheets: true, offset: (3, 2), ..Style::default() },
        },
        Plan {
            rel: "variants/凉山州科学技术协会2023_单表堆叠_文本数字.xlsx",
            dep: ls,
            unit: Unit::WanYuan,
            style: Style { stacked: true, text_numbers: true, ..Style::default() },
        },
        Plan {
            rel: "county/某市/甲县/甲县科学技术协会（虚构）.xlsx",
            dep: scaled(&pzh_exact, 1, "甲县科学技术协会（虚构）"),
            unit: Unit::WanYuan,
            style: Style::default(),
        },
        Plan {
            rel: "county/某市/甲县/甲县教育局（虚构）.xlsx",
            dep: scaled(&pzh_exact, 3, "甲县教育局（虚构）"),
            unit: Unit::Yuan,
            style: Style::default(),
        },
        Plan {
            rel: "county/某市/乙县/乙县科学技术协会（虚构）.xlsx",
            dep: scaled_in(&ls_exact, 1, "乙县科学技术协会（虚构）", Some(2024)),
            unit: Unit::WanYuan,
            style: Style::default(),
        },
        Plan {
            rel: "county/某市/乙县/乙县卫生健康局（虚构）.xlsx",
            dep: scaled_in(&ls_exact, 2, "乙县卫生健康局（虚构）", Some(2024)),
            unit: Unit::WanYuan,
            style: Style { split_codes: true, ..Style::default() },
        },
    ];
    let plans = plans.into_iter().chain(last_year(&pzh_exact, &ls_exact)).collect::<Vec<_>>();
    let mut written = Vec::new();
    let sheets: Json =
        serde_json::from_str(&std::fs::read_to_string(root.join("src/seed_scoresheets.json"))?)?;
    let rel = "凉山州科学技术协会2023_项目支出绩效自评表.xlsx";
    let scoring = crate::score::Config::load(&crate::template::Store::load(None)?, layouts)?;
    let mut wb = crate::report::score_xlsx::sample_workbook(&seed_projects(&sheets), &scoring, msg)?;
    crate::report::save::save(&mut wb, &root.join(rel))?;
    written.push(rel.to_string());
    for mut p in plans {
        p.dep.convert_unit(p.unit);
        let opts = Options {
            department: p.dep.department.clone(),
            year: p.dep.year,
            unit: p.unit,
            precision: None,
            blank: false,
            style: p.style,
        };
        let mut wb = workbook(&p.dep, layouts, msg, &opts)?;
        let path = root.join(p.rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::report::save::save(&mut wb, &path)?;
        written.push(p.rel.to_string());
    }
    // The seeds' published 决算说明, as the .docx an officer would hand in next
    // to the workbook (one paragraph per line of the extracted text).
    for (src, rel) in [
        ("src/narrative_000.text", "攀枝花市科学技术协会2024_决算说明.docx"),
        ("src/narrative_002.text", "凉山州科学技术协会2023_决算说明.docx"),
    ] {
        use crate::document::{Para, Style};
        let text = std::fs::read_to_string(root.join(src))?;
        let paras: Vec<Para> =
            text.lines().map(|l| Para { style: Style::Body, text: l.to_string() }).collect();
        crate::report::save::write_atomic(&root.join(rel), &crate::report::docx::bytes(&paras)?)?;
        written.push(rel.to_string());
    }
    Ok(written)
}
