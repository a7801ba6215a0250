fn main() {
    let t = juesuan::template::Templates::embedded();
    for p in std::env::args().skip(1) {
        let wb = juesuan::workbook::open(std::path::Path::new(&p)).unwrap();
        let d = juesuan::model::extract::read_department(&wb, &t.layouts, &t.messages);
        for f in juesuan::rules::eval::evaluate(&t.rules, &d, &t.layouts, &t.messages) {
            println!(
                "{} {} {:?} {}",
                f.severity.as_str(),
                f.rule,
                f.cells.first().map(|c| c.a1()),
                f.message
            );
        }
    }
}
