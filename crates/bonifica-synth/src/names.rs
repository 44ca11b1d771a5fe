//! Plausible Ukrainian-style names, transliterated: settlements built from syllables and
//! endings, people from common first names and surname roots with their suffixes.
//!
//! Names are flavour, not data: nothing here is read from outside.

use std::collections::BTreeSet;

use rand::Rng;

use crate::sample::{Stream, choose};

const ROOTS: &[&str] = &[
    "Bor", "Vol", "Hor", "Dub", "Kam", "Lys", "Mal", "Ol", "Pis", "Ruds", "Sok", "Tern", "Ber",
    "Verb", "Hruz", "Zel", "Kup", "Lozh", "Mykhail", "Petr", "Step", "Chern", "Yabl", "Krasn",
    "Bilh", "Kozach", "Pechen", "Solon", "Slob", "Khotom", "Dov", "Hlyb", "Kolom", "Vyshn", "Zhuk",
    "Ivan", "Andri", "Hnat", "Pavl", "Sheb", "Mart", "Rog", "Buds", "Shevch", "Kurh",
];
const SYLLABLES: &[&str] = &[
    "", "", "", "o", "a", "y", "ov", "an", "ar", "en", "ul", "ach",
];
const VILLAGE_ENDINGS: &[&str] = &[
    "ivka", "ivske", "yne", "ky", "ove", "ivtsi", "yanka", "anivka", "ychi", "ove", "ivka",
    "opillia", "ychne", "ianske",
];
const TOWN_ENDINGS: &[&str] = &[
    "hrad", "ivsk", "yansk", "ychiv", "odar", "opil", "iv", "nsk",
];
const PREFIXES: &[&str] = &[
    "Velyka ",
    "Mala ",
    "Nova ",
    "Stara ",
    "Verkhnia ",
    "Nyzhnia ",
];

const FIRST_NAMES: &[&str] = &[
    "Oleksandr",
    "Andrii",
    "Serhii",
    "Dmytro",
    "Mykola",
    "Ivan",
    "Yurii",
    "Vasyl",
    "Petro",
    "Taras",
    "Bohdan",
    "Volodymyr",
    "Oleh",
    "Roman",
    "Maksym",
    "Viktor",
    "Ihor",
    "Artem",
    "Oksana",
    "Olena",
    "Iryna",
    "Nataliia",
    "Tetiana",
    "Kateryna",
    "Yuliia",
    "Halyna",
    "Mariia",
    "Svitlana",
    "Anastasiia",
    "Liudmyla",
];
const SURNAME_ROOTS: &[&str] = &[
    "Koval", "Shevch", "Bondar", "Tkach", "Kravch", "Moroz", "Lys", "Savch", "Rudn", "Marchen",
    "Melnych", "Hryts", "Pavl", "Kharch", "Ostap", "Sydor", "Levch", "Petr", "Klym", "Boiko",
    "Ponomar", "Tarasen", "Kushn", "Hnatyuk", "Dorosh", "Zaporozh", "Symon", "Holub", "Yarem",
];
const SURNAME_SUFFIXES: &[&str] = &[
    "enko", "uk", "yshyn", "ets", "ak", "ovych", "chuk", "ko", "iv",
];

/// Hands out settlement names, never the same twice.
pub(crate) struct PlaceNames {
    used: BTreeSet<String>,
}

impl PlaceNames {
    pub(crate) fn new() -> PlaceNames {
        PlaceNames {
            used: BTreeSet::new(),
        }
    }

    /// A town name such as `Dubovhrad`.
    pub(crate) fn town(&mut self, rng: &mut Stream) -> String {
        self.unique(rng, |rng| {
            format!(
                "{}{}{}",
                choose(rng, ROOTS),
                choose(rng, SYLLABLES),
                choose(rng, TOWN_ENDINGS)
            )
        })
    }

    /// A village name such as `Velyka Kamianivka`.
    pub(crate) fn village(&mut self, rng: &mut Stream) -> String {
        self.unique(rng, |rng| {
            let prefix = if rng.gen_bool(0.15) {
                *choose(rng, PREFIXES)
            } else {
                ""
            };
            format!(
                "{prefix}{}{}{}",
                choose(rng, ROOTS),
                choose(rng, SYLLABLES),
                choose(rng, VILLAGE_ENDINGS)
            )
        })
    }

    fn unique(&mut self, rng: &mut Stream, make: impl Fn(&mut Stream) -> String) -> String {
        for _ in 0..50 {
            let name = make(rng);
            if self.used.insert(name.clone()) {
                return name;
            }
        }
        // The syllable tables give tens of thousands of names; if a run of draws still
        // collides, a number keeps the name unique.
        let name = format!("{} {}", make(rng), self.used.len() + 1);
        self.used.insert(name.clone());
        name
    }
}

/// A person's name such as `Oksana Kovalenko`.
pub(crate) fn person(rng: &mut Stream) -> String {
    format!(
        "{} {}{}",
        choose(rng, FIRST_NAMES),
        choose(rng, SURNAME_ROOTS),
        choose(rng, SURNAME_SUFFIXES)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn place_names_do_not_repeat() {
        let mut rng = Stream::seed_from_u64(5);
        let mut names = PlaceNames::new();
        let all: BTreeSet<String> = (0..800).map(|_| names.village(&mut rng)).collect();
        assert_eq!(all.len(), 800);
    }
}
