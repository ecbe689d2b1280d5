//! The certificate as a one-page PDF (A4 landscape).
//!
//! Written directly: one page of text, a frame and a QR code needs no PDF library.
//! Chinese text uses the PDF standard's predefined CJK font `STSong-Light` with the
//! `UniGB-UTF16-H` CMap, not embedded: viewers supply a matching Song typeface, so no
//! font file ships with the application.

use crate::i18n::Tr;
use domain::certificates::{Certificate, CertificateStanding};

/// Page size in points (A4 landscape).
const WIDTH: f64 = 842.0;
const HEIGHT: f64 = 595.0;

/// Text in the CID font as a hex string of UTF-16BE code units.
fn hex_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 4 + 2);
    out.push('<');
    for unit in text.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

/// Approximate advance of `text` at `size`: full-width CJK glyphs are one em, the
/// proportional Latin ones about half.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum::<f64>()
        * size
}

struct Content(String);

impl Content {
    fn text(&mut self, x: f64, y: f64, size: f64, text: &str) {
        self.0.push_str(&format!(
            "BT /F1 {size:.1} Tf {x:.1} {y:.1} Td {} Tj ET\n",
            hex_text(text)
        ));
    }

    fn centred(&mut self, y: f64, size: f64, text: &str) {
        let x = ((WIDTH - text_width(text, size)) / 2.0).max(20.0);
        self.text(x, y, size, text);
    }
}

/// Everything printed on the certificate besides the record itself.
pub struct CertificateDoc<'a> {
    pub certificate: &'a Certificate,
    pub standing: CertificateStanding,
    /// Absolute address of the public verification page.
    pub verify_url: &'a str,
}

/// Renders the certificate as PDF bytes.
pub fn render(t: Tr, doc: &CertificateDoc<'_>) -> Vec<u8> {
    let c = doc.certificate;
    let mut content = Content(String::new());
    // Frame: an outer and an inner border.
    content
        .0
        .push_str("0.55 0.42 0.18 RG 3 w 24 24 794 547 re S 1 w 34 34 774 527 re S\n");
    content.0.push_str("0.1 0.1 0.1 rg\n");
    content.centred(470.0, 40.0, t.get("cert.pdf.title"));
    let holder = t
        .get("cert.pdf.holder")
        .replace("{name}", &c.employee_name)
        .replace("{number}", &c.employee_number);
    content.centred(400.0, 20.0, &holder);
    let completed = t
        .get("cert.pdf.completed")
        .replace("{date}", &c.issued_on.to_string());
    content.centred(365.0, 20.0, &completed);
    let program = t
        .get("cert.pdf.program")
        .replace("{title}", &c.program_title)
        .replace("{hours}", &format_hours(c.hours));
    content.centred(325.0, 24.0, &program);
    let expiry = match c.expires_on {
        Some(d) => d.to_string(),
        None => t.get("cert.never_expires").to_string(),
    };
    let lines = [
        format!("{}{}", t.get("cert.pdf.number"), c.number),
        format!("{}{}", t.get("cert.pdf.issued_on"), c.issued_on),
        format!("{}{}", t.get("cert.pdf.expires_on"), expiry),
        format!("{}{}", t.get("cert.pdf.verify"), doc.verify_url),
    ];
    for (i, line) in lines.iter().enumerate() {
        content.text(70.0, 200.0 - 26.0 * i as f64, 13.0, line);
    }
    if doc.standing != CertificateStanding::Valid {
        content.0.push_str("0.75 0.1 0.1 rg\n");
        let label = t.get(&format!("cert.standing.{}", doc.standing.code()));
        content.text(70.0, 240.0, 18.0, label);
        content.0.push_str("0.1 0.1 0.1 rg\n");
    }
    content.text(560.0, 70.0, 14.0, t.get("cert.pdf.issuer"));
    // The verification address as a QR code, bottom right.
    if let Ok(qr) = qrcode::QrCode::new(doc.verify_url.as_bytes()) {
        let modules = qr.width();
        let size = 110.0;
        let cell = size / modules as f64;
        let (x0, y0) = (WIDTH - 70.0 - size, 100.0);
        for (i, color) in qr.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (col, row) = (i % modules, i / modules);
                content.0.push_str(&format!(
                    "{:.2} {:.2} {:.2} {:.2} re\n",
                    x0 + col as f64 * cell,
                    y0 + size - (row + 1) as f64 * cell,
                    cell,
                    cell
                ));
            }
        }
        content.0.push_str("f\n");
    }
    assemble(&content.0)
}

fn format_hours(hours: f64) -> String {
    if hours.fract() == 0.0 {
        format!("{hours:.0}")
    } else {
        format!("{hours:.1}")
    }
}

/// Wraps a content stream into a complete one-page document with its cross-reference table.
fn assemble(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH:.0} {HEIGHT:.0}] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H \
         /DescendantFonts [6 0 R] >>"
            .to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> \
         /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>"
            .to_string(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
         /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
         /CapHeight 880 /StemV 93 >>"
            .to_string(),
    ];
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
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
    use super::*;

    #[test]
    fn text_is_utf16_hex() {
        assert_eq!(hex_text("证A"), "<8BC10041>");
    }

    #[test]
    fn the_cross_reference_table_points_at_the_objects() {
        let pdf = assemble("BT ET\n");
        let find = |needle: &[u8]| {
            pdf.windows(needle.len())
                .rposition(|w| w == needle)
                .unwrap()
        };
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let after = find(b"startxref\n") + b"startxref\n".len();
        let digits: String = pdf[after..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|b| *b as char)
            .collect();
        let start: usize = digits.parse().unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
        // The entry of object 3 is the fourth after the header lines.
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        let third: usize = table.lines().nth(5).unwrap()[..10].parse().unwrap();
        assert!(pdf[third..].starts_with(b"3 0 obj"));
    }
}
