//! Place names as people type them: any case, with or without apostrophes
//! and soft signs, in Latin or Cyrillic, in any of the common
//! transliterations (Kupiansk / Kupyansk / Kup'yans'k), and with a typo.
//!
//! Two keys are derived from every name. The *exact* key only folds case,
//! diacritics, apostrophes, soft signs and separators, so `Chasiv Yar`,
//! `chasiv-yar` and `Часів Яр` each match themselves. The *skeleton* also
//! transliterates Cyrillic and collapses the letters transliteration schemes
//! disagree on (y/i/j, kh/h/g, w/v, doubled letters), so `Kupyansk`,
//! `Kupiansk` and `Куп'янськ` share one skeleton.

/// The exact key: lowercase, Latin diacritics folded, apostrophes, soft
/// signs, hyphens and spaces removed. Cyrillic stays Cyrillic (ё → е).
pub fn exact_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if is_separator(c) {
            continue;
        }
        match c {
            'ь' | 'ъ' => {}
            'ё' => out.push('е'),
            _ => match fold_latin(c) {
                Some(s) => out.push_str(s),
                None if c.is_alphanumeric() => out.push(c),
                None => {}
            },
        }
    }
    out
}

/// The skeleton: the exact key transliterated to Latin, with the letters
/// that transliteration schemes disagree on collapsed.
pub fn skeleton(name: &str) -> String {
    skeleton_of_key(&exact_key(name))
}

/// The skeleton of a name whose [`exact_key`] is already known.
pub fn skeleton_of_key(exact: &str) -> String {
    let mut latin = String::with_capacity(exact.len() + 4);
    for c in exact.chars() {
        match translit(c) {
            Some(s) => latin.push_str(s),
            None => latin.push(c),
        }
    }
    // Digraphs first, so that "kh" becomes "h" before "h" and "g" merge.
    let latin = latin.replace("kh", "h").replace("ch", "c").replace("ts", "c").replace("tz", "c").replace("sz", "s");
    let mut out = String::with_capacity(latin.len());
    let mut last: Option<char> = None;
    for c in latin.chars() {
        let c = match c {
            'y' | 'j' => 'i',
            'g' => 'h',
            'w' => 'v',
            'x' => 'h',
            'q' => 'k',
            _ => c,
        };
        // Doubled letters (Krassnoarmeisk, Kupiansk ← Kupiiansk) carry no meaning.
        if last == Some(c) {
            continue;
        }
        out.push(c);
        last = Some(c);
    }
    out
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        '\'' | '’'
            | 'ʼ'
            | '‘'
            | '`'
            | '´'
            | 'ʹ'
            | '"'
            | '”'
            | '“'
            | '-'
            | '‐'
            | '–'
            | '—'
            | ' '
            | '.'
            | ','
            | '('
            | ')'
            | '\u{a0}'
    )
}

/// Latin letters with diacritics, folded to ASCII.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'č' | 'ç' | 'ć' => "c",
        'ď' => "d",
        'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ē' | 'ę' | 'ė' => "e",
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ı' | 'į' => "i",
        'ľ' | 'ł' | 'ļ' => "l",
        'ň' | 'ñ' | 'ń' | 'ņ' => "n",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'š' | 'ś' | 'ş' | 'ș' => "s",
        'ť' | 'ţ' | 'ț' => "t",
        'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ū' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' => "z",
        'ğ' => "g",
        'ß' => "ss",
        _ => return None,
    })
}

/// Ukrainian and Russian letters (lowercase) in Latin.
fn translit(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' | 'э' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' | 'ы' => "y",
        'і' | 'ї' | 'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// The Ukrainian national transliteration (KMU resolution 55 of 2010), the
/// spelling of road signs and passports: Часів Яр → Chasiv Yar, Єнакієве →
/// Yenakiieve, Згурівка → Zghurivka. Є, Ї, Й, Ю, Я are Ye, Yi, Y, Yu, Ya at
/// the start of a word and ie, i, i, iu, ia elsewhere; ь and ' are dropped.
pub fn kmu2010(uk: &str) -> String {
    let mut out = String::with_capacity(uk.len() + 8);
    let mut word_start = true;
    let mut prev: Option<char> = None;
    for c in uk.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let upper = c != lower;
        let latin: Option<&str> = match lower {
            'є' if word_start => Some("ye"),
            'ї' if word_start => Some("yi"),
            'й' if word_start => Some("y"),
            'ю' if word_start => Some("yu"),
            'я' if word_start => Some("ya"),
            'є' => Some("ie"),
            'ї' | 'й' => Some("i"),
            'ю' => Some("iu"),
            'я' => Some("ia"),
            'г' if prev.is_some_and(|p| p == 'з' || p == 'З') => Some("gh"),
            'и' => Some("y"),
            'ь' | 'ъ' | '\'' | '’' | 'ʼ' | '`' => Some(""),
            _ => translit(lower),
        };
        match latin {
            Some(s) if upper => {
                let mut cs = s.chars();
                if let Some(f) = cs.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(cs.as_str());
                }
            }
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
        word_start = !c.is_alphabetic() && !matches!(c, '\'' | '’' | 'ʼ');
        prev = Some(c);
    }
    out
}

/// How many edits a name of this many letters may be away from the query
/// and still count as a typo: none under 6 letters (too many short names
/// are one letter apart), one up to 9, two from 10.
pub fn typo_budget(letters: usize) -> usize {
    match letters {
        0..=5 => 0,
        6..=9 => 1,
        _ => 2,
    }
}

/// Levenshtein distance, giving up (returning `limit + 1`) as soon as it
/// must exceed `limit`.
pub fn edit_distance_within(a: &[char], b: &[char], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(limit + 1)
}

/// Places renamed since 2015 (decommunisation, 2024 renamings) whose old or
/// new name GeoNames may lack: (name a person may type, the name GeoNames
/// files the place under, GeoNames admin1 code of its oblast).
pub const RENAMED: &[(&str, &str, &str)] = &[
    ("Krasnoarmiisk", "Pokrovsk", "05"),
    ("Krasnoarmeysk", "Pokrovsk", "05"),
    ("Dymytrov", "Myrnohrad", "05"),
    ("Dimitrov", "Myrnohrad", "05"),
    ("Artemivsk", "Bakhmut", "05"),
    ("Artyomovsk", "Bakhmut", "05"),
    ("Dzerzhynsk", "Toretsk", "05"),
    ("Dzerzhinsk", "Toretsk", "05"),
    ("Komsomolske", "Kal'mius'ke", "05"),
    ("Krasnyi Lyman", "Lyman", "05"),
    ("Krasnyi Luch", "Khrustalnyi", "14"),
    ("Krasnodon", "Sorokyne", "14"),
    ("Sverdlovsk", "Dovzhansk", "14"),
    ("Stakhanov", "Kadiyivka", "14"),
    ("Kirovsk", "Holubivka", "14"),
    ("Dniprodzerzhynsk", "Kamyanske", "04"),
    ("Dnipropetrovsk", "Dnipro", "04"),
    ("Ordzhonikidze", "Pokrov", "04"),
    ("Samar", "Novomoskovsk", "04"),
    ("Kirovohrad", "Kropyvnytskyy", "10"),
    ("Kropyvnytskyi", "Kropyvnytskyy", "10"),
    ("Komsomolsk", "Horishni Plavni", "18"),
    ("Sheptytskyi", "Chervonohrad", "15"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliteration_variants_share_a_skeleton() {
        // Each group is spellings of one place found in print.
        let groups: &[&[&str]] = &[
            &["Kupiansk", "Kupyansk", "Kup'yans'k", "Куп'янськ", "KUPJANSK"],
            &["Pokrovsk", "Покровськ", "Pokrovs'k", "Pokrowsk"],
            &["Kharkiv", "Харків", "Harkiv"],
            &["Myrnohrad", "Mirnohrad", "Мирноград", "Mirnograd"],
            &["Krasnoarmiisk", "Krasnoarmiys'k", "Krasnoarmijsk", "Красноармійськ"],
            &["Chasiv Yar", "chasiv-yar", "Часів Яр"],
        ];
        for g in groups {
            let first = skeleton(g[0]);
            for name in &g[1..] {
                assert_eq!(skeleton(name), first, "{name} vs {}", g[0]);
            }
        }
        assert_ne!(skeleton("Pokrovsk"), skeleton("Pokrovske"));
    }

    #[test]
    fn exact_key_folds_case_apostrophes_and_separators_only() {
        assert_eq!(exact_key("Kup'yans'k"), "kupyansk");
        assert_eq!(exact_key("Куп’янськ"), "купянск");
        assert_eq!(exact_key("Chasiv Yar"), "chasivyar");
        assert_eq!(exact_key("Sélydové"), "selydove");
        assert_ne!(exact_key("Kupiansk"), exact_key("Kupyansk"));
    }

    #[test]
    fn kmu2010_follows_the_official_table() {
        // Examples printed in the resolution's table (KMU No. 55, 27.01.2010).
        for (uk, latin) in [
            ("Згорани", "Zghorany"),
            ("Розгон", "Rozghon"),
            ("Єнакієве", "Yenakiieve"),
            ("Гаєвич", "Haievych"),
            ("Їжакевич", "Yizhakevych"),
            ("Кадиївка", "Kadyivka"),
            ("Йосипівка", "Yosypivka"),
            ("Стрий", "Stryi"),
            ("Юрій", "Yurii"),
            ("Корюківка", "Koriukivka"),
            ("Яготин", "Yahotyn"),
            ("Костянтин", "Kostiantyn"),
            ("Знам'янка", "Znamianka"),
            ("Феодосія", "Feodosiia"),
            ("Щербухи", "Shcherbukhy"),
            ("Часів Яр", "Chasiv Yar"),
        ] {
            assert_eq!(kmu2010(uk), latin, "{uk}");
        }
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions() {
        let d = |a: &str, b: &str, l| {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            edit_distance_within(&a, &b, l)
        };
        assert_eq!(d("kitten", "sitting", 5), 3);
        assert_eq!(d("pokrovsk", "pokrovske", 2), 1);
        assert_eq!(d("pokrovsk", "pokrvosk", 2), 2);
        assert_eq!(d("abc", "abcdef", 1), 2, "gives up past the limit");
        assert_eq!(d("", "", 0), 0);
    }
}
