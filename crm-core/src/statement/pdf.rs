//! A statement laid out on A4 pages with the standard Helvetica fonts (no font embedded).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{Statement, format_money};

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const LINE: f32 = 14.0;
/// Table rows on a page after the first (which also holds the heading).
const ROWS_PER_PAGE: usize = 48;
const ROWS_ON_FIRST: usize = 38;
/// Left edge of each table column: date, reference, route, status, invoice, amount.
const COLUMNS: [f32; 6] = [MARGIN, 125.0, 215.0, 375.0, 435.0, 495.0];
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Text in the fonts' encoding (WinAnsi, that is Windows-1252); other characters become `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if bad || c.is_control() {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// At most `max` characters of `text`, an ellipsis marking a cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

struct Writer {
    content: Content,
    y: f32,
}

impl Writer {
    fn new() -> Self {
        Self {
            content: Content::new(),
            y: HEIGHT - MARGIN,
        }
    }

    fn text(&mut self, x: f32, font: Name<'_>, size: f32, text: &str) {
        self.content
            .begin_text()
            .set_font(font, size)
            .next_line(x, self.y)
            .show(Str(&win_ansi(text)))
            .end_text();
    }

    fn down(&mut self, lines: f32) {
        self.y -= LINE * lines;
    }

    fn row(&mut self, font: Name<'_>, cells: [&str; 6]) {
        for (i, (x, cell)) in COLUMNS.iter().zip(cells).enumerate() {
            let max = [12, 14, 34, 10, 10, 16][i];
            self.text(*x, font, 9.0, &fit(cell, max));
        }
        self.down(1.0);
    }
}

fn heading(s: &Statement, w: &mut Writer) {
    w.text(MARGIN, BOLD, 18.0, "Statement");
    w.down(2.0);
    w.text(MARGIN, BOLD, 11.0, &s.name);
    w.down(1.0);
    let a = &s.address;
    let city = [a.zip.as_deref(), a.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    for line in [
        s.company.as_deref(),
        a.street.as_deref(),
        Some(city.as_str()).filter(|c| !c.is_empty()),
        a.country.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        w.text(MARGIN, REGULAR, 10.0, line);
        w.down(1.0);
    }
    w.down(0.5);
    w.text(
        MARGIN,
        REGULAR,
        10.0,
        &format!(
            "Customer no. {}    Period {} to {}    Made {}",
            s.customer_no,
            s.from,
            s.to,
            s.generated_at.format("%Y-%m-%d %H:%M UTC")
        ),
    );
    w.down(2.0);
}

/// The PDF bytes of `s`.
pub(super) fn render(s: &Statement) -> Vec<u8> {
    let header = ["Date", "Reference", "Route", "Status", "Invoice", "Amount"];
    let rows: Vec<[String; 6]> = s
        .lines
        .iter()
        .map(|l| {
            [
                l.pickup_at.format("%Y-%m-%d").to_string(),
                l.reference.clone(),
                // The fonts' encoding has no arrow: an en dash reads as well.
                l.route.replace('→', "–"),
                l.status.as_str().replace('_', " "),
                l.invoice_number.clone().unwrap_or_default(),
                l.amount.as_ref().map(format_money).unwrap_or_default(),
            ]
        })
        .collect();
    let mut pages: Vec<Content> = Vec::new();
    let mut w = Writer::new();
    heading(s, &mut w);
    let mut left = ROWS_ON_FIRST;
    w.row(BOLD, header);
    for row in &rows {
        if left == 0 {
            pages.push(std::mem::replace(&mut w, Writer::new()).content);
            left = ROWS_PER_PAGE;
            w.row(BOLD, header);
        }
        w.row(
            REGULAR,
            [&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]],
        );
        left -= 1;
    }
    if rows.is_empty() {
        w.text(MARGIN, REGULAR, 10.0, "No bookings depart in this period.");
        w.down(1.0);
    }
    w.down(1.0);
    w.text(MARGIN, BOLD, 10.0, "Total (cancelled bookings not counted)");
    w.down(1.0);
    if s.totals.is_empty() {
        w.text(MARGIN, REGULAR, 10.0, "Nothing invoiced.");
    }
    for total in &s.totals {
        w.text(COLUMNS[5], BOLD, 10.0, &format_money(total));
        w.down(1.0);
    }
    if !s.outstanding.is_empty() {
        w.down(1.0);
        w.text(
            MARGIN,
            BOLD,
            10.0,
            "Still owed (unpaid or part-paid invoices)",
        );
        w.down(1.0);
        for owed in &s.outstanding {
            w.text(COLUMNS[5], BOLD, 10.0, &format_money(owed));
            w.down(1.0);
        }
    }
    pages.push(w.content);

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (regular, bold, info) = (Ref::new(3), Ref::new(4), Ref::new(5));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr(&format!(
            "Statement of customer no. {}",
            s.customer_no
        )))
        .producer(TextStr("crm-core"));
    let ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| (Ref::new(10 + 2 * i), Ref::new(11 + 2 * i)))
        .collect();
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
            .parent(tree)
            .contents(*content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();
        pdf.stream(*content_id, &content.finish());
    }
    for (id, name) in [
        (regular, b"Helvetica".as_slice()),
        (bold, b"Helvetica-Bold"),
    ] {
        pdf.type1_font(id)
            .base_font(Name(name))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.finish()
}
