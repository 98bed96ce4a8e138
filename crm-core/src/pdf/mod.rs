//! PDF documents with embedded font subsets: text in any script a font given covers (Łukasz,
//! Čapek, 王), extractable (each font has its Unicode map). The built-in font is DejaVu Sans
//! (Latin, Greek, Cyrillic); a host adds fallback fonts (a CJK one) for other scripts. Pages are
//! laid out in millimetres from the top left corner; the fonts are cut to the glyphs used when
//! the document is finished.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::error::{Error, Result};

/// DejaVu Sans 2.37 (Bitstream Vera license, `fonts/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// Points per millimetre.
const PT: f32 = 72.0 / 25.4;

/// Largest font file a host may give, in bytes.
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// Most fallback fonts.
const MAX_FONTS: usize = 8;

/// One font: its file, the face in it, and the figures the PDF needs.
struct Font {
    data: Arc<Vec<u8>>,
    index: u32,
    name: String,
    units_per_em: f32,
    ascender: f32,
    descender: f32,
    cap_height: f32,
    bbox: [f32; 4],
}

impl Font {
    fn parse(data: Arc<Vec<u8>>, field: &str) -> Result<Self> {
        let bad = || Error::validation(field, "not a TrueType or OpenType font");
        let face = ttf_parser::Face::parse(&data, 0).map_err(|_| bad())?;
        // Embedded as CIDFontType2: TrueType outlines only.
        if face
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"glyf"))
            .is_none()
        {
            return Err(Error::validation(
                field,
                "has no TrueType outlines (a CFF-based .otf): give a .ttf font",
            ));
        }
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "Font".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let units = f32::from(face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / units;
        let b = face.global_bounding_box();
        Ok(Self {
            units_per_em: units,
            ascender: scale(face.ascender()),
            descender: scale(face.descender()),
            cap_height: face.capital_height().map_or(700.0, scale),
            bbox: [
                scale(b.x_min),
                scale(b.y_min),
                scale(b.x_max),
                scale(b.y_max),
            ],
            name,
            index: 0,
            data: Arc::clone(&data),
        })
    }

    fn face(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, self.index).ok()
    }
}

/// The fonts of a document: the built-in one first, then the host's fallbacks.
#[derive(Clone)]
pub(crate) struct Fonts {
    fonts: Arc<Vec<Font>>,
}

impl Fonts {
    /// DejaVu Sans, then the fonts of `fallbacks` (files), in that order.
    ///
    /// # Errors
    /// Validation naming `fonts[i]` for a file that is not a font, too large, or too many;
    /// Io when one cannot be read.
    pub(crate) fn load(fallbacks: &[PathBuf]) -> Result<Self> {
        if fallbacks.len() > MAX_FONTS {
            return Err(Error::validation("fonts", format!("more than {MAX_FONTS}")));
        }
        let mut fonts = vec![Font::parse(Arc::new(DEJAVU_SANS.to_vec()), "fonts")?];
        for (i, path) in fallbacks.iter().enumerate() {
            let field = format!("fonts[{i}]");
            let io = |e: std::io::Error| Error::Io {
                message: format!("cannot read the font {field}"),
                source: e,
            };
            let data =
                crate::exchange::read_bounded(path, MAX_FONT_BYTES).map_err(|e| match e {
                    Some(e) => io(e),
                    None => Error::validation(&field, "not a file of at most 64 MiB"),
                })?;
            fonts.push(Font::parse(Arc::new(data), &field)?);
        }
        Ok(Self {
            fonts: Arc::new(fonts),
        })
    }

    /// The first font with a glyph for `c`, that glyph, and its advance in 1/1000 em.
    fn glyph(&self, c: char) -> Option<(usize, u16, f32)> {
        self.fonts.iter().enumerate().find_map(|(i, font)| {
            let face = font.face()?;
            let gid = face.glyph_index(c)?;
            let advance =
                f32::from(face.glyph_hor_advance(gid).unwrap_or(0)) * 1000.0 / font.units_per_em;
            Some((i, gid.0, advance))
        })
    }
}

/// One glyph placed: its font, its id in that font, the character it shows, its advance.
#[derive(Clone, Copy)]
struct Glyph {
    font: u8,
    gid: u16,
    ch: char,
    advance: f32,
}

/// What a page holds.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        glyphs: Vec<Glyph>,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
}

/// A document being laid out, A4 pages (portrait or landscape).
pub(crate) struct Doc {
    fonts: Fonts,
    cache: HashMap<char, Option<(usize, u16, f32)>>,
    pages: Vec<Vec<Op>>,
    /// Page size in points.
    width: f32,
    height: f32,
}

/// An A4 page's size in millimetres.
pub(crate) const A4: (f32, f32) = (210.0, 297.0);

/// An A4 page lying on its side.
pub(crate) const A4_LANDSCAPE: (f32, f32) = (297.0, 210.0);

impl Doc {
    /// An empty document of pages `size` (millimetres) with `fonts`.
    pub(crate) fn new(fonts: Fonts, size: (f32, f32)) -> Self {
        Self {
            fonts,
            cache: HashMap::new(),
            pages: Vec::new(),
            width: size.0 * PT,
            height: size.1 * PT,
        }
    }

    /// Starts a new page; later text goes on it.
    pub(crate) fn page(&mut self) {
        self.pages.push(Vec::new());
    }

    /// How many pages so far.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn glyphs(&mut self, text: &str) -> Result<Vec<Glyph>> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            // Control characters (tabs, stray line breaks) print as spaces.
            let c = if c.is_control() { ' ' } else { c };
            let fonts = &self.fonts;
            let found = *self.cache.entry(c).or_insert_with(|| fonts.glyph(c));
            let Some((font, gid, advance)) = found else {
                return Err(Error::validation(
                    "fonts",
                    format!(
                        "no font given has a glyph for {c:?} (U+{:04X}): add a font that has it",
                        u32::from(c)
                    ),
                ));
            };
            out.push(Glyph {
                font: u8::try_from(font).unwrap_or(u8::MAX),
                gid,
                ch: c,
                advance,
            });
        }
        Ok(out)
    }

    /// Checks that every character of `text` has a glyph in some font.
    ///
    /// # Errors
    /// Validation naming `fonts` and the first character none has.
    pub(crate) fn covers(&mut self, text: &str) -> Result<()> {
        self.glyphs(text).map(drop)
    }

    /// The width of `text` at `size` points, in millimetres.
    pub(crate) fn width(&mut self, text: &str, size: f32) -> Result<f32> {
        Ok(self.advances(text, size)?.iter().sum())
    }

    /// The advance of each character of `text` at `size`, in millimetres.
    fn advances(&mut self, text: &str, size: f32) -> Result<Vec<f32>> {
        Ok(self
            .glyphs(text)?
            .iter()
            .map(|g| g.advance * size / 1000.0 / PT)
            .collect())
    }

    /// `text` cut to `width` millimetres at `size`, an ellipsis marking a cut. Linear in the
    /// text (past what any line can show, it is not measured).
    pub(crate) fn fit(&mut self, text: &str, size: f32, width: f32) -> Result<String> {
        const LONGEST: usize = 2_000;
        let chars: Vec<char> = text.chars().take(LONGEST + 1).collect();
        let shown: String = chars.iter().take(LONGEST).collect();
        let advances = self.advances(&shown, size)?;
        if chars.len() <= LONGEST && advances.iter().sum::<f32>() <= width {
            return Ok(shown);
        }
        let ellipsis = self.width("…", size)?;
        if ellipsis > width {
            return Ok(String::new());
        }
        let mut used = 0.0;
        let mut out = String::new();
        for (c, a) in chars.iter().zip(&advances) {
            if used + a + ellipsis > width {
                break;
            }
            used += a;
            out.push(*c);
        }
        out.push('…');
        Ok(out)
    }

    /// The lines of `text` (its own line breaks kept) wrapped at `width` millimetres; a word
    /// longer than a line is cut where it overflows. Linear in the text.
    pub(crate) fn wrap(&mut self, text: &str, size: f32, width: f32) -> Result<Vec<String>> {
        let space = self.width(" ", size)?;
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            let mut used = 0.0;
            for word in paragraph.split(' ') {
                let advances = self.advances(word, size)?;
                let w: f32 = advances.iter().sum();
                if !line.is_empty() && used + space + w > width {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                if !line.is_empty() {
                    line.push(' ');
                    used += space;
                }
                if used + w <= width {
                    // It fits whole: never split by rounding.
                    line.push_str(word);
                    used += w;
                    continue;
                }
                // Longer than a line: cut where it overflows.
                for (c, a) in word.chars().zip(advances) {
                    if used + a > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        used = 0.0;
                    }
                    line.push(c);
                    used += a;
                }
            }
            lines.push(line);
        }
        Ok(lines)
    }

    /// Writes `text` with its baseline at `top` millimetres from the top, from `x` from the
    /// left, at `size` points, on the current page.
    ///
    /// # Errors
    /// Validation naming `fonts` when a character has no glyph.
    pub(crate) fn text(&mut self, x: f32, top: f32, size: f32, text: &str) -> Result<()> {
        let glyphs = self.glyphs(text)?;
        if self.pages.is_empty() {
            self.page();
        }
        let y = self.height - top * PT;
        if let Some(page) = self.pages.last_mut() {
            page.push(Op::Text {
                x: x * PT,
                y,
                size,
                glyphs,
            });
        }
        Ok(())
    }

    /// Writes `text` on page `page` (from 0) rather than the current one.
    pub(crate) fn text_on(
        &mut self,
        page: usize,
        x: f32,
        top: f32,
        size: f32,
        text: &str,
    ) -> Result<()> {
        let glyphs = self.glyphs(text)?;
        let y = self.height - top * PT;
        if let Some(ops) = self.pages.get_mut(page) {
            ops.push(Op::Text {
                x: x * PT,
                y,
                size,
                glyphs,
            });
        }
        Ok(())
    }

    /// Writes `text` ending at `right` millimetres from the left.
    pub(crate) fn text_right(&mut self, right: f32, top: f32, size: f32, text: &str) -> Result<()> {
        let width = self.width(text, size)?;
        self.text(right - width, top, size, text)
    }

    /// A line from `(x1, top1)` to `(x2, top2)` (millimetres), `width` points thick.
    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        if self.pages.is_empty() {
            self.page();
        }
        let h = self.height;
        if let Some(page) = self.pages.last_mut() {
            page.push(Op::Line {
                from: (from.0 * PT, h - from.1 * PT),
                to: (to.0 * PT, h - to.1 * PT),
                width,
            });
        }
    }

    /// The PDF: each font used cut to its glyphs and embedded with its Unicode map.
    ///
    /// # Errors
    /// Internal if a font cannot be cut.
    pub(crate) fn finish(self, title: &str) -> Result<Vec<u8>> {
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog = alloc();
        let tree = alloc();
        let info = alloc();
        // The glyphs each font shows, old id → the characters.
        let mut used: BTreeMap<usize, BTreeMap<u16, char>> = BTreeMap::new();
        for page in &self.pages {
            for op in page {
                if let Op::Text { glyphs, .. } = op {
                    for g in glyphs {
                        used.entry(usize::from(g.font))
                            .or_default()
                            .entry(g.gid)
                            .or_insert(g.ch);
                    }
                }
            }
        }
        let mut remappers: HashMap<usize, subsetter::GlyphRemapper> = HashMap::new();
        for (font, glyphs) in &used {
            let ids: Vec<u16> = glyphs.keys().copied().collect();
            remappers.insert(
                *font,
                subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids),
            );
        }
        let mut pdf = Pdf::new();
        let mut font_refs: BTreeMap<usize, Ref> = BTreeMap::new();
        for (&index, glyphs) in &used {
            let font = &self.fonts.fonts[index];
            let remapper = &remappers[&index];
            let subset = subsetter::subset(&font.data, font.index, remapper)
                .map_err(|e| Error::Internal(format!("a font cannot be cut: {e}")))?;
            let (type0, cid, descriptor, file, cmap) =
                (alloc(), alloc(), alloc(), alloc(), alloc());
            font_refs.insert(index, type0);
            // A subset tag from the glyphs it holds.
            let tag: String = {
                let mut h: u32 = 2_166_136_261;
                for g in glyphs.keys() {
                    h = (h ^ u32::from(*g)).wrapping_mul(16_777_619);
                }
                (0..6)
                    .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
                    .collect()
            };
            let base = format!("{tag}+{}", font.name);
            pdf.type0_font(type0)
                .base_font(Name(base.as_bytes()))
                .encoding_predefined(Name(b"Identity-H"))
                .descendant_font(cid)
                .to_unicode(cmap);
            let system = SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            };
            let face = font.face();
            let widths: Vec<f32> = (0..remapper.num_gids())
                .map(|new| {
                    let old = glyphs
                        .keys()
                        .copied()
                        .find(|o| remapper.get(*o) == Some(new))
                        .unwrap_or(0);
                    face.as_ref()
                        .and_then(|f| f.glyph_hor_advance(ttf_parser::GlyphId(old)))
                        .map_or(0.0, |a| f32::from(a) * 1000.0 / font.units_per_em)
                })
                .collect();
            let mut cid_font = pdf.cid_font(cid);
            cid_font
                .subtype(CidFontType::Type2)
                .base_font(Name(base.as_bytes()))
                .system_info(system)
                .font_descriptor(descriptor)
                .default_width(0.0)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            cid_font.widths().consecutive(0, widths);
            cid_font.finish();
            pdf.font_descriptor(descriptor)
                .name(Name(base.as_bytes()))
                .flags(FontFlags::SYMBOLIC)
                .bbox(Rect::new(
                    font.bbox[0],
                    font.bbox[1],
                    font.bbox[2],
                    font.bbox[3],
                ))
                .italic_angle(0.0)
                .ascent(font.ascender)
                .descent(font.descender)
                .cap_height(font.cap_height)
                .stem_v(80.0)
                .font_file2(file);
            pdf.stream(file, &subset).pair(
                Name(b"Length1"),
                i32::try_from(subset.len()).unwrap_or(i32::MAX),
            );
            let mut unicode = UnicodeCmap::new(Name(b"Custom"), system);
            for (old, ch) in glyphs {
                if let Some(new) = remapper.get(*old) {
                    unicode.pair(new, *ch);
                }
            }
            pdf.cmap(cmap, &unicode.finish());
        }
        let mut kids = Vec::with_capacity(self.pages.len());
        for page in &self.pages {
            let (page_ref, content_ref) = (alloc(), alloc());
            kids.push(page_ref);
            let mut content = Content::new();
            for op in page {
                match op {
                    Op::Text { x, y, size, glyphs } => {
                        content.begin_text();
                        content.next_line(*x, *y);
                        // One run per font.
                        let mut start = 0;
                        while start < glyphs.len() {
                            let font = glyphs[start].font;
                            let end = glyphs[start..]
                                .iter()
                                .position(|g| g.font != font)
                                .map_or(glyphs.len(), |p| start + p);
                            let name = format!("F{font}");
                            content.set_font(Name(name.as_bytes()), *size);
                            let remapper = &remappers[&usize::from(font)];
                            let bytes: Vec<u8> = glyphs[start..end]
                                .iter()
                                .flat_map(|g| remapper.get(g.gid).unwrap_or(0).to_be_bytes())
                                .collect();
                            content.show(Str(&bytes));
                            start = end;
                        }
                        content.end_text();
                    }
                    Op::Line { from, to, width } => {
                        content.set_line_width(*width);
                        content.move_to(from.0, from.1);
                        content.line_to(to.0, to.1);
                        content.stroke();
                    }
                }
            }
            let mut p = pdf.page(page_ref);
            p.parent(tree)
                .media_box(Rect::new(0.0, 0.0, self.width, self.height))
                .contents(content_ref);
            let mut resources = p.resources();
            let mut fonts = resources.fonts();
            for (index, r) in &font_refs {
                fonts.pair(Name(format!("F{index}").as_bytes()), *r);
            }
            fonts.finish();
            resources.finish();
            p.finish();
            pdf.stream(content_ref, &content.finish());
        }
        let count = i32::try_from(kids.len()).unwrap_or(i32::MAX);
        pdf.pages(tree).kids(kids).count(count);
        pdf.catalog(catalog).pages(tree);
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("Mini-CRM"));
        Ok(pdf.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_beyond_the_built_in_font_is_refused_by_name_and_widths_measure() {
        let fonts = Fonts::load(&[]).unwrap();
        let mut doc = Doc::new(fonts, A4);
        doc.text(20.0, 20.0, 11.0, "Łukasz Čapek, Ελένη, Дмитрий")
            .unwrap();
        let err = doc.text(20.0, 30.0, 11.0, "王").unwrap_err();
        assert_eq!(err.field(), Some("fonts"));
        assert!(err.to_string().contains("U+738B"), "{err}");
        let w = doc.width("MMMM", 10.0).unwrap();
        assert!(w > 10.0 && w < 14.0, "{w}");
        assert_eq!(
            doc.wrap("one two three", 10.0, w).unwrap(),
            ["one", "two", "three"]
        );
        assert_eq!(
            doc.fit("a long long text", 10.0, w).unwrap().chars().last(),
            Some('…')
        );
        let pdf = doc.finish("test").unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        // The font is cut: far smaller than the whole file.
        assert!(pdf.len() < 100_000, "{}", pdf.len());
    }

    #[test]
    fn long_texts_are_measured_in_linear_time() {
        let mut doc = Doc::new(Fonts::load(&[]).unwrap(), A4);
        let long = "x".repeat(60_000);
        let started = std::time::Instant::now();
        assert_eq!(doc.fit("abc", 8.0, 0.5).unwrap(), "");
        assert_eq!(doc.fit("", 8.0, 10.0).unwrap(), "");
        let cut = doc.fit(&long, 8.0, 50.0).unwrap();
        assert!(cut.ends_with('…') && cut.chars().count() < 100);
        let lines = doc.wrap(&long, 11.0, 160.0).unwrap();
        assert!(lines.len() > 100);
        assert!(lines.iter().all(|l| doc.width(l, 11.0).unwrap() <= 160.0));
        // Seconds at most even unoptimised; quadratic cutting took minutes.
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn bad_fallbacks_are_named() {
        let dir = std::env::temp_dir().join(format!("crm-font-{}", std::process::id()));
        std::fs::write(&dir, b"not a font").unwrap();
        let err = Fonts::load(std::slice::from_ref(&dir)).err().unwrap();
        assert_eq!(err.field(), Some("fonts[0]"));
        let _ = std::fs::remove_file(dir);
    }
}
