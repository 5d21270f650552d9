//! A one-page PDF written by hand: enough structure (objects, cross-reference
//! table, trailer) for any reader to open it.

/// A one-page PDF showing `lines` of text. Characters outside printable
/// ASCII are written as `?`, since the built-in font's encoding is not
/// Unicode.
pub(crate) fn document(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 14 Tf 72 770 Td 18 TL");
    for line in lines {
        text.push_str(" (");
        for c in line.chars() {
            match c {
                '(' | ')' | '\\' => {
                    text.push('\\');
                    text.push(c);
                }
                ' '..='~' => text.push(c),
                _ => text.push('?'),
            }
        }
        text.push_str(") Tj T*");
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (number, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", number + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.extend_from_slice(table.as_bytes());
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::document;

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let pdf = document(&["Status (Approved) \\ é".to_owned()]);
        let text = String::from_utf8(pdf.clone()).expect("ASCII only");
        assert!(text.starts_with("%PDF-1.4\n"));
        assert!(text.ends_with("%%EOF\n"));
        assert!(text.contains(r"(Status \(Approved\) \\ ?)"));
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|tail| tail.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("a startxref offset");
        assert!(text[startxref..].starts_with("xref\n0 6\n"));
        let entries: Vec<usize> = text[startxref..]
            .lines()
            .skip(3)
            .take(5)
            .map(|line| line[..10].parse().expect("an offset"))
            .collect();
        for (i, offset) in entries.iter().enumerate() {
            assert!(
                text[*offset..].starts_with(&format!("{} 0 obj\n", i + 1)),
                "object {} is not at {offset}",
                i + 1
            );
        }
        let (_, stream) = text.split_once("stream\n").unwrap();
        let length: usize = text
            .split("/Length ")
            .nth(1)
            .and_then(|tail| tail.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(&stream[length..length + 1], "\n");
        assert!(stream[length..].starts_with("\nendstream"), "{stream:?}");
    }
}
