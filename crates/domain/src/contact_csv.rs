//! The contact CSV format, shared by export and import: its columns (the export
//! writes their keys; the import also accepts Spanish and English headings), and
//! one line of an import file read into cells by column.

use crate::fold;

/// A column of the contact CSV format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Id,
    Title,
    FirstName,
    LastName,
    Nickname,
    Email,
    PersonalEmail,
    Phone,
    Mobile,
    Fax,
    Position,
    Department,
    Category,
    Owner,
    Street,
    City,
    State,
    PostalCode,
    Country,
    Nationality,
    PreferredLanguage,
    EmailOptOut,
    FacebookUrl,
    LinkedinUrl,
    XUrl,
    Customers,
    Suppliers,
    ImportantDates,
    Preferences,
    IdDocType,
    IdDocNumber,
    LicenceNumber,
    LicenceCategory,
    LicenceExpiry,
    Notes,
}

/// Each column: its key (the export's heading, and the contact form's field
/// name where there is one) and the headings people write in Spanish and English.
const COLUMNS: [(Column, &str, &[&str]); 35] = [
    (Column::Id, "id", &[]),
    (Column::Title, "title", &["tratamiento", "titulo"]),
    (
        Column::FirstName,
        "first_name",
        &["nombres", "nombre", "first names", "first name"],
    ),
    (
        Column::LastName,
        "last_name",
        &["apellidos", "apellido", "last names", "last name"],
    ),
    (Column::Nickname, "nickname", &["apodo"]),
    (
        Column::Email,
        "email",
        &["correo electronico", "correo", "e-mail"],
    ),
    (
        Column::PersonalEmail,
        "personal_email",
        &["correo personal", "personal email"],
    ),
    (Column::Phone, "phone", &["telefono"]),
    (Column::Mobile, "mobile", &["movil", "celular"]),
    (Column::Fax, "fax", &[]),
    (Column::Position, "position", &["cargo", "puesto"]),
    (Column::Department, "department", &["departamento"]),
    (Column::Category, "category", &["categoria"]),
    (Column::Owner, "owner", &["responsable"]),
    (Column::Street, "street", &["calle", "direccion"]),
    (Column::City, "city", &["ciudad"]),
    (Column::State, "state", &["provincia", "estado"]),
    (
        Column::PostalCode,
        "postal_code",
        &["codigo postal", "postal code"],
    ),
    (Column::Country, "country", &["pais"]),
    (Column::Nationality, "nationality", &["nacionalidad"]),
    (
        Column::PreferredLanguage,
        "preferred_language",
        &["idioma", "language"],
    ),
    (
        Column::EmailOptOut,
        "email_opt_out",
        &["no desea recibir correos"],
    ),
    (Column::FacebookUrl, "facebook_url", &["facebook"]),
    (Column::LinkedinUrl, "linkedin_url", &["linkedin"]),
    (Column::XUrl, "x_url", &["x", "twitter"]),
    (Column::Customers, "customers", &["clientes"]),
    (Column::Suppliers, "suppliers", &["proveedores"]),
    (
        Column::ImportantDates,
        "important_dates",
        &["fechas importantes", "important dates"],
    ),
    (Column::Preferences, "preferences", &["preferencias"]),
    (Column::IdDocType, "id_doc_type", &["tipo de documento"]),
    (
        Column::IdDocNumber,
        "id_doc_number",
        &["numero de documento"],
    ),
    (Column::LicenceNumber, "licence_number", &["licencia"]),
    (
        Column::LicenceCategory,
        "licence_category",
        &["categoria de licencia"],
    ),
    (
        Column::LicenceExpiry,
        "licence_expiry",
        &["vencimiento de licencia"],
    ),
    (Column::Notes, "notes", &["notas"]),
];

impl Column {
    /// Every column, in the export's order.
    pub fn all() -> impl Iterator<Item = Column> {
        COLUMNS.iter().map(|(c, _, _)| *c)
    }

    /// The column's key: the export's heading.
    pub fn key(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("", |(_, key, _)| key)
    }

    /// The column a heading names: its key, or a Spanish or English heading,
    /// ignoring case, accents, spaces around and `_` versus space.
    pub fn from_heading(heading: &str) -> Option<Column> {
        let folded = fold(heading.trim().trim_start_matches('\u{feff}')).replace('_', " ");
        COLUMNS
            .iter()
            .find(|(_, key, aliases)| {
                key.replace('_', " ") == folded || aliases.contains(&folded.as_str())
            })
            .map(|(c, _, _)| *c)
    }
}

/// Why a whole file cannot be imported (a message id for the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// No heading names a contact column that can identify or name a person.
    NoColumns,
    /// Two headings name the same column (its key).
    DuplicateColumn(&'static str),
}

impl FileProblem {
    pub fn message(&self) -> &'static str {
        match self {
            FileProblem::NoColumns => "import-no-columns",
            FileProblem::DuplicateColumn(_) => "import-duplicate-column",
        }
    }
}

/// The first line of a file: which column each position holds.
#[derive(Debug, Clone)]
pub struct Header {
    positions: Vec<Option<Column>>,
    /// Headings that name no column (shown to the user; their cells are ignored).
    pub ignored: Vec<String>,
}

impl Header {
    pub fn parse<'a>(headings: impl IntoIterator<Item = &'a str>) -> Result<Header, FileProblem> {
        let mut positions = Vec::new();
        let mut ignored = Vec::new();
        for heading in headings {
            let column = Column::from_heading(heading);
            if let Some(c) = column
                && positions.contains(&Some(c))
            {
                return Err(FileProblem::DuplicateColumn(c.key()));
            }
            if column.is_none() && !heading.trim().is_empty() {
                ignored.push(heading.trim().to_owned());
            }
            positions.push(column);
        }
        let identifies = [
            Column::Id,
            Column::FirstName,
            Column::LastName,
            Column::Email,
        ];
        if !identifies.iter().any(|c| positions.contains(&Some(*c))) {
            return Err(FileProblem::NoColumns);
        }
        Ok(Header { positions, ignored })
    }

    /// Whether the file has this column (an absent column leaves a value as it is).
    pub fn has(&self, column: Column) -> bool {
        self.positions.contains(&Some(column))
    }

    /// The cells of a line, by column: trimmed, with the `'` that an export puts
    /// before formula-like values taken off again. Missing trailing cells are blank.
    pub fn cells<'a>(&self, record: impl IntoIterator<Item = &'a str>) -> Vec<(Column, String)> {
        let mut cells: Vec<(Column, String)> = self
            .positions
            .iter()
            .zip(record)
            .filter_map(|(c, value)| c.map(|c| (c, undefuse(value.trim()).to_owned())))
            .collect();
        for column in self.positions.iter().flatten() {
            if !cells.iter().any(|(c, _)| c == column) {
                cells.push((*column, String::new()));
            }
        }
        cells
    }
}

/// Whether a cell would run as a formula in a spreadsheet: a leading `=`, `@`,
/// tab or carriage return, or `+`/`-` not starting a phone number.
pub fn formula_like(value: &str) -> bool {
    match value.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !value[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || " ()-.".contains(c)),
        _ => false,
    }
}

/// A value as it was before the export defused it with a leading `'`.
fn undefuse(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => value,
    }
}

/// Account codes in one cell: separated by `;` (or `,`), blanks skipped.
pub fn codes(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A yes/no cell: `yes`, `sí`, `si`, `true`, `1`, `x` (any case) are yes.
pub fn yes(cell: &str) -> bool {
    matches!(
        fold(cell.trim()).as_str(),
        "yes" | "si" | "true" | "1" | "x"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_in_keys_spanish_or_english() {
        let header = Header::parse([
            "\u{feff}Nombres",
            "APELLIDOS",
            "Correo electrónico",
            "first_name x",
            "clientes",
        ]);
        let header = header.unwrap();
        assert!(header.has(Column::FirstName) && header.has(Column::LastName));
        assert!(header.has(Column::Email) && header.has(Column::Customers));
        assert_eq!(header.ignored, vec!["first_name x".to_owned()]);
        assert_eq!(
            Column::from_heading("postal code"),
            Some(Column::PostalCode)
        );
        assert_eq!(Column::from_heading(" Teléfono "), Some(Column::Phone));
    }

    #[test]
    fn a_file_must_name_people_and_name_each_column_once() {
        assert_eq!(
            Header::parse(["city", "notes"]).unwrap_err(),
            FileProblem::NoColumns
        );
        assert_eq!(
            Header::parse(["email", "Correo"]).unwrap_err(),
            FileProblem::DuplicateColumn("email")
        );
    }

    #[test]
    fn cells_are_trimmed_undefused_and_padded() {
        let header = Header::parse(["first_name", "notes", "phone"]).unwrap();
        let cells = header.cells([" Ana ", "'=1+1"]);
        assert_eq!(
            cells,
            vec![
                (Column::FirstName, "Ana".to_owned()),
                (Column::Notes, "=1+1".to_owned()),
                (Column::Phone, String::new()),
            ]
        );
        assert_eq!(header.cells(["'hola"])[0].1, "'hola", "a plain quote stays");
        assert!(formula_like("-2+3") && !formula_like("+1 809 555 0100"));
        assert_eq!(codes(" C-001; C-002 ,, "), vec!["C-001", "C-002"]);
        assert!(yes("Sí") && yes("yes") && !yes("no") && !yes(""));
    }

    #[test]
    fn every_column_has_a_distinct_key() {
        let keys: std::collections::HashSet<_> = Column::all().map(Column::key).collect();
        assert_eq!(keys.len(), COLUMNS.len());
    }
}
