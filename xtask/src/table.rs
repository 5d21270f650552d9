//! The table the measuring tasks print: one row per figure, with its
//! target and whether it was met.

/// The result table.
#[derive(Default)]
pub struct Table {
    rows: Vec<[String; 4]>,
}

impl Table {
    /// A figure measured and shown, without a target.
    pub fn tracked(&mut self, measure: &str, figure: String) {
        self.rows.push([
            measure.to_owned(),
            figure,
            "tracked".to_owned(),
            String::new(),
        ]);
    }

    /// A figure with its target and whether it was met.
    pub fn check(&mut self, measure: &str, figure: String, target: &str, pass: bool) {
        self.rows.push([
            measure.to_owned(),
            figure,
            target.to_owned(),
            if pass { "PASS" } else { "FAIL" }.to_owned(),
        ]);
    }

    /// Whether no figure missed its target.
    pub fn all_pass(&self) -> bool {
        self.rows.iter().all(|row| row[3] != "FAIL")
    }

    /// The rows under a header, columns aligned, as a Markdown table.
    pub fn render(&self) -> String {
        let header = ["measure", "figure", "target", "result"].map(str::to_owned);
        let all: Vec<&[String; 4]> = std::iter::once(&header).chain(&self.rows).collect();
        let width = |column: usize| {
            all.iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths = [width(0), width(1), width(2), width(3)];
        let line = |row: &[String; 4]| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| {
                    let pad = width - cell.chars().count();
                    format!("{cell}{}", " ".repeat(pad))
                })
                .collect();
            format!("| {} |", cells.join(" | "))
        };
        let rule: Vec<String> = widths.iter().map(|&width| "-".repeat(width)).collect();
        let mut text = vec![line(&header), format!("|-{}-|", rule.join("-|-"))];
        text.extend(self.rows.iter().map(line));
        text.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_columns_and_fails_on_any_miss() {
        let mut table = Table::default();
        table.tracked("lines", "3300 lines".to_owned());
        table.check("ratio", "0.80×".to_owned(), "≥ 0.75×", true);
        assert!(table.all_pass());
        let text = table.render();
        let widths: Vec<usize> = text.lines().map(|line| line.chars().count()).collect();
        assert!(widths.windows(2).all(|pair| pair[0] == pair[1]), "{text}");
        table.check("speed-up", "2.1×".to_owned(), "≥ 3×", false);
        assert!(!table.all_pass());
        assert!(table.render().contains("FAIL"));
    }
}
