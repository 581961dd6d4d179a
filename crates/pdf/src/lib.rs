//! Printable documents (decision 0007): a typst template, compiled with the
//! document's data as JSON, into a PDF with embedded fonts. The template is
//! the only typst source; the data reaches it as a string input
//! (`sys.inputs.data`), so nothing a user typed is ever parsed as markup, and
//! the compiler's world reads no file but the company's logo, handed over as
//! bytes (`/logo.png`).

use std::sync::LazyLock;

use typst::{
    Library, LibraryExt, World,
    diag::{FileError, FileResult},
    foundations::{Bytes, Datetime, Dict, IntoValue},
    layout::PagedDocument,
    syntax::{FileId, Source, VirtualPath},
    text::{Font, FontBook},
    utils::LazyHash,
};

/// A printable document's template; each is `templates/common.typ` (page,
/// heading, footer) followed by its own body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A commercial document — an invoice, credit note, quote or order:
    /// facts, lines, totals, and a closing table (what was applied, or the
    /// approval chain).
    Invoice,
    /// A statement of account: facts, opening balance, movements, closing.
    Statement,
}

impl Template {
    fn source(self) -> String {
        const COMMON: &str = include_str!("../templates/common.typ");
        let body = match self {
            Template::Invoice => include_str!("../templates/invoice.typ"),
            Template::Statement => include_str!("../templates/statement.typ"),
        };
        format!("{COMMON}\n{body}")
    }
}

/// Why a document could not be made: the template does not compile (a bug
/// of ours, never of the data), or the PDF writer refused it.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the template does not compile: {0}")]
    Template(String),
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// The embedded fonts, loaded once per process.
static FONTS: LazyLock<(Vec<Font>, LazyHash<FontBook>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    let book = LazyHash::new(FontBook::from_fonts(&fonts));
    (fonts, book)
});

/// Where templates find the company's logo (when `sys.inputs.logo` is true).
const LOGO: &str = "/logo.png";

/// What the compiler sees: the template, the data, the fonts, and nothing else.
struct Document {
    library: LazyHash<Library>,
    main: Source,
    logo: Option<(FileId, Bytes)>,
}

impl Document {
    fn new(template: &str, data: &serde_json::Value, logo: Option<&[u8]>) -> Self {
        let mut inputs = Dict::new();
        inputs.insert("data".into(), data.to_string().into_value());
        inputs.insert("logo".into(), logo.is_some().into_value());
        let library = Library::builder().with_inputs(inputs).build();
        let id = FileId::new(None, VirtualPath::new("/document.typ"));
        Document {
            library: LazyHash::new(library),
            main: Source::new(id, template.to_owned()),
            logo: logo.map(|bytes| {
                (
                    FileId::new(None, VirtualPath::new(LOGO)),
                    Bytes::new(bytes.to_vec()),
                )
            }),
        }
    }
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.1
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match &self.logo {
            Some((logo, bytes)) if *logo == id => Ok(bytes.clone()),
            _ => Err(FileError::AccessDenied),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.0.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        // Documents print their own dates from the data.
        None
    }
}

/// `template` typeset with `data` and the company's `logo` (a PNG, when it
/// has one): the PDF's bytes. CPU work of a few milliseconds: call it from a
/// blocking task.
pub fn render(
    template: Template,
    data: &serde_json::Value,
    logo: Option<&[u8]>,
) -> Result<Vec<u8>, PdfError> {
    compile(&template.source(), data, logo)
}

/// `source` (typst markup reading its data as `json(bytes(sys.inputs.data))`)
/// typeset with `data` and `logo`.
fn compile(
    source: &str,
    data: &serde_json::Value,
    logo: Option<&[u8]>,
) -> Result<Vec<u8>, PdfError> {
    let world = Document::new(source, data, logo);
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| {
            PdfError::Template(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError::Write(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invoice(notes: &str) -> serde_json::Value {
        json!({
            "lang": "es",
            "title": "Factura FAC-1",
            "subtitle": null,
            "company": { "name": "Distribuidora del Caribe", "legal_name": null, "tax_id": "1-01-00000-1" },
            "labels": {
                "page": "Página", "tax_id": "RNC", "notes": "Notas", "applied": "Aplicado",
                "columns": ["Código", "Descripción", "Cantidad", "Precio", "ITBIS", "Importe"],
                "applied_columns": ["Documento", "Número", "Fecha", "Importe"],
            },
            "facts": [["Cliente", "Farmacia Ñandú"]],
            "lines": [{ "code": "#import", "description": "]*_ $x$ <a> @b", "quantity": "1",
                        "unit_price": "10.00", "tax_rate": "18 %", "net": "10.00" }],
            "totals": [["Total", "11.80 DOP"]],
            "applied": [],
            "notes": notes,
        })
    }

    #[test]
    fn the_invoice_template_takes_its_data_as_text_never_markup() {
        let pdf =
            render(Template::Invoice, &invoice("#read(\"/etc/passwd\")"), None).expect("a PDF");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn the_statement_template_compiles() {
        let data = json!({
            "lang": "en", "title": "Statement", "subtitle": "DOP",
            "company": { "name": "Distribuidora", "legal_name": "Distribuidora, S.R.L.", "tax_id": null },
            "labels": { "page": "Page", "tax_id": "Tax id", "opening": "Opening balance",
                        "closing": "Closing balance",
                        "columns": ["Date", "Number", "Branch", "Debit", "Credit", "Balance"] },
            "facts": [["Customer", "Farmacia"]],
            "opening": "0.00",
            "movements": [{ "date": "Jan 1, 2026", "number": "FAC-1", "branch": "", "debit": "10.00",
                            "credit": "", "balance": "10.00" }],
            "closing": "10.00",
            "incomplete": null,
        });
        assert!(
            render(Template::Statement, &data, None)
                .expect("a PDF")
                .starts_with(b"%PDF-")
        );
    }

    #[test]
    fn a_template_cannot_read_files() {
        let err = compile("#read(\"/etc/passwd\")", &json!({}), None).unwrap_err();
        assert!(matches!(err, PdfError::Template(_)), "{err}");
        let err = compile("#read(\"/etc/passwd\")", &json!({}), Some(LOGO_PNG)).unwrap_err();
        assert!(matches!(err, PdfError::Template(_)), "{err}");
    }

    /// A 2×1 RGB PNG (one red, one blue pixel).
    const LOGO_PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x7b,
        0x40, 0xe8, 0xdd, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0x00, 0x04, 0xff, 0x01, 0x07, 0x00, 0x01, 0xff, 0xe2, 0x23, 0x9e, 0x59, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn the_logo_is_drawn_when_given() {
        let without = render(Template::Invoice, &invoice(""), None).expect("a PDF");
        let with = render(Template::Invoice, &invoice(""), Some(LOGO_PNG)).expect("a PDF");
        let images = |pdf: &[u8]| pdf.windows(13).filter(|w| w == b"/Subtype /Ima").count();
        assert_eq!(images(&without), 0);
        assert!(images(&with) >= 1, "the logo is an image of the PDF");
    }
}
