//! The ISO 3166-1 countries and ISO 4217 currencies people choose from, with
//! their names in Spanish and English (data from Debian's iso-codes, in
//! `crates/domain/data/`).

use std::sync::LazyLock;

use crate::{Locale, fold};

/// One entry of a code list: its code and its name in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoEntry {
    pub code: &'static str,
    name_en: &'static str,
    name_es: &'static str,
}

impl IsoEntry {
    /// The name in a language.
    pub fn name(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Es => self.name_es,
            Locale::En => self.name_en,
        }
    }
}

fn parse(table: &'static str) -> Vec<IsoEntry> {
    table
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let mut cells = line.split('\t');
            Some(IsoEntry {
                code: cells.next()?,
                name_en: cells.next()?,
                name_es: cells.next()?,
            })
        })
        .collect()
}

static COUNTRIES: LazyLock<Vec<IsoEntry>> =
    LazyLock::new(|| parse(include_str!("../data/countries.tsv")));
static CURRENCIES: LazyLock<Vec<IsoEntry>> =
    LazyLock::new(|| parse(include_str!("../data/currencies.tsv")));

fn find(list: &'static [IsoEntry], code: &str) -> Option<&'static IsoEntry> {
    list.binary_search_by(|e| e.code.cmp(code))
        .ok()
        .map(|i| &list[i])
}

/// Sorted by name as a reader of that language expects (accents ignored).
fn by_name(list: &'static [IsoEntry], locale: Locale) -> Vec<&'static IsoEntry> {
    let mut sorted: Vec<&IsoEntry> = list.iter().collect();
    sorted.sort_by_cached_key(|e| fold(e.name(locale)));
    sorted
}

/// The country with this ISO 3166-1 alpha-2 code (upper case).
pub fn country(code: &str) -> Option<&'static IsoEntry> {
    find(&COUNTRIES, code)
}

/// Every country, sorted by its name in `locale`.
pub fn countries(locale: Locale) -> Vec<&'static IsoEntry> {
    by_name(&COUNTRIES, locale)
}

/// The currency with this ISO 4217 code (upper case).
pub fn currency(code: &str) -> Option<&'static IsoEntry> {
    find(&CURRENCIES, code)
}

/// Every currency, sorted by its name in `locale`.
pub fn currencies(locale: Locale) -> Vec<&'static IsoEntry> {
    by_name(&CURRENCIES, locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_sorted_by_code_and_complete() {
        for list in [&*COUNTRIES, &*CURRENCIES] {
            assert!(list.windows(2).all(|w| w[0].code < w[1].code));
        }
        assert_eq!(COUNTRIES.len(), 249);
        assert!(CURRENCIES.len() > 150);
    }

    #[test]
    fn names_come_in_both_languages() {
        let dominican = country("DO").unwrap();
        assert_eq!(dominican.name(Locale::Es), "República Dominicana");
        assert_eq!(dominican.name(Locale::En), "Dominican Republic");
        assert_eq!(currency("DOP").unwrap().name(Locale::Es), "Peso dominicano");
        assert!(country("XX").is_none());
        assert!(currency("PES").is_none());
    }

    #[test]
    fn lists_sort_by_the_readers_names_ignoring_accents() {
        let es: Vec<&str> = countries(Locale::Es).iter().map(|c| c.code).collect();
        let position = |code| es.iter().position(|c| *c == code).unwrap();
        // Spanish: "Austria" < "Bélgica" < "Belice" (é folds to e).
        assert!(position("AT") < position("BE"));
        assert!(position("BE") < position("BZ"));
        let en: Vec<&str> = countries(Locale::En).iter().map(|c| c.code).collect();
        assert_eq!(en.first(), Some(&"AF"));
    }
}
