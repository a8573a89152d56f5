//! Hangul syllables and jamo: the Unicode Hangul composition algorithm (Unicode core
//! specification, chapter 3.12 "Conjoining Jamo Behavior") applied to compatibility jamo
//! typed one by one (`ㅅㅣㅂㅏㄹ` → `시발`), conjoining jamo mapped to compatibility
//! jamo, and the initial consonants of a syllable (`시발` → `ㅅㅂ`).
//!
//! Normalised views keep Hangul as precomposed syllables (U+AC00..U+D7A3) and lone jamo
//! as compatibility jamo (U+3131..U+3163), consonant clusters split (`ㅄ` → `ㅂㅅ`), so
//! that a syllable is one view character and an abbreviation is one jamo per syllable.

/// First precomposed syllable (`가`), "SBase" in the standard.
const S_BASE: u32 = 0xAC00;
/// First conjoining leading consonant, "LBase".
const L_BASE: u32 = 0x1100;
/// First conjoining vowel, "VBase".
const V_BASE: u32 = 0x1161;
/// One before the first conjoining trailing consonant, "TBase".
const T_BASE: u32 = 0x11A7;
/// Leading consonants, "LCount".
const L_COUNT: u32 = 19;
/// Vowels, "VCount".
const V_COUNT: u32 = 21;
/// Trailing consonants plus "none", "TCount".
const T_COUNT: u32 = 28;
/// Syllables per leading consonant, "NCount" = VCount × TCount.
const N_COUNT: u32 = V_COUNT * T_COUNT;
/// Precomposed syllables, "SCount" = LCount × NCount.
const S_COUNT: u32 = L_COUNT * N_COUNT;

/// Compatibility jamo of the 19 leading consonants, in LIndex order.
const LEADS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
/// Compatibility jamo of the 27 trailing consonants, in TIndex order (TIndex 0 = none).
const TAILS: [char; 27] = [
    'ㄱ', 'ㄲ', 'ㄳ', 'ㄴ', 'ㄵ', 'ㄶ', 'ㄷ', 'ㄹ', 'ㄺ', 'ㄻ', 'ㄼ', 'ㄽ', 'ㄾ', 'ㄿ', 'ㅀ', 'ㅁ',
    'ㅂ', 'ㅄ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
];
/// First compatibility vowel (`ㅏ`); the 21 vowels follow in VIndex order.
const COMPAT_VOWEL_BASE: u32 = 0x314F;

/// Vowel pairs typed as two keys that form one compound vowel.
const COMPOUND_VOWELS: [(char, char, char); 7] = [
    ('ㅗ', 'ㅏ', 'ㅘ'),
    ('ㅗ', 'ㅐ', 'ㅙ'),
    ('ㅗ', 'ㅣ', 'ㅚ'),
    ('ㅜ', 'ㅓ', 'ㅝ'),
    ('ㅜ', 'ㅔ', 'ㅞ'),
    ('ㅜ', 'ㅣ', 'ㅟ'),
    ('ㅡ', 'ㅣ', 'ㅢ'),
];
/// Consonant pairs that form one trailing cluster.
const CLUSTERS: [(char, char, char); 11] = [
    ('ㄱ', 'ㅅ', 'ㄳ'),
    ('ㄴ', 'ㅈ', 'ㄵ'),
    ('ㄴ', 'ㅎ', 'ㄶ'),
    ('ㄹ', 'ㄱ', 'ㄺ'),
    ('ㄹ', 'ㅁ', 'ㄻ'),
    ('ㄹ', 'ㅂ', 'ㄼ'),
    ('ㄹ', 'ㅅ', 'ㄽ'),
    ('ㄹ', 'ㅌ', 'ㄾ'),
    ('ㄹ', 'ㅍ', 'ㄿ'),
    ('ㄹ', 'ㅎ', 'ㅀ'),
    ('ㅂ', 'ㅅ', 'ㅄ'),
];

/// Whether `c` is a precomposed Hangul syllable.
pub(crate) fn is_syllable(c: char) -> bool {
    (S_BASE..S_BASE + S_COUNT).contains(&(c as u32))
}

/// Whether `c` is a compatibility jamo vowel (`ㅏ`..`ㅣ`).
pub(crate) fn is_vowel(c: char) -> bool {
    (COMPAT_VOWEL_BASE..COMPAT_VOWEL_BASE + V_COUNT).contains(&(c as u32))
}

/// Whether `c` is a compatibility jamo consonant (`ㄱ`..`ㅎ`, clusters included).
pub(crate) fn is_consonant(c: char) -> bool {
    ('\u{3131}'..='\u{314E}').contains(&c)
}

/// The leading consonant of a syllable as a compatibility jamo (`시` → `ㅅ`).
pub(crate) fn initial(c: char) -> Option<char> {
    if !is_syllable(c) {
        return None;
    }
    LEADS.get(((c as u32 - S_BASE) / N_COUNT) as usize).copied()
}

/// The compatibility jamo (one or two, clusters split) a conjoining or compatibility
/// jamo stands for: `ᄉ`/`ᆺ`/`ㅅ` → `ㅅ`, `ㅄ` → `ㅂㅅ`. `None` for anything else.
pub(crate) fn to_compat(c: char) -> Option<(char, Option<char>)> {
    let u = c as u32;
    let single = if (L_BASE..L_BASE + L_COUNT).contains(&u) {
        LEADS.get((u - L_BASE) as usize).copied()
    } else if (V_BASE..V_BASE + V_COUNT).contains(&u) {
        char::from_u32(COMPAT_VOWEL_BASE + (u - V_BASE))
    } else if (T_BASE + 1..T_BASE + T_COUNT).contains(&u) {
        TAILS.get((u - T_BASE - 1) as usize).copied()
    } else if is_consonant(c) || is_vowel(c) {
        Some(c)
    } else {
        None
    }?;
    Some(match CLUSTERS.iter().find(|&&(_, _, k)| k == single) {
        Some(&(a, b, _)) => (a, Some(b)),
        None => (single, None),
    })
}

fn lead_index(c: char) -> Option<u32> {
    LEADS.iter().position(|&l| l == c).map(|i| i as u32)
}

fn tail_index(c: char) -> Option<u32> {
    TAILS.iter().position(|&t| t == c).map(|i| i as u32 + 1)
}

/// The syllable `lead + vowel (+ tail)` per the standard's arithmetic.
fn syllable(lead: char, vowel: char, tail: Option<char>) -> Option<char> {
    let l = lead_index(lead)?;
    let v = (vowel as u32).checked_sub(COMPAT_VOWEL_BASE)?;
    if v >= V_COUNT {
        return None;
    }
    let t = match tail {
        Some(t) => tail_index(t)?,
        None => 0,
    };
    char::from_u32(S_BASE + (l * V_COUNT + v) * T_COUNT + t)
}

/// One output character of [`compose`] and the input positions `[first, last]` it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Composed {
    /// A syllable, or an input jamo left as it was.
    pub ch: char,
    /// Index of the first input jamo it covers.
    pub first: usize,
    /// Index of the last input jamo it covers.
    pub last: usize,
}

/// Composes a sequence of compatibility jamo the way the Korean 2-set keyboard does: a
/// consonant followed by a vowel starts a syllable, a compound vowel takes a second
/// vowel, and a following consonant (or cluster) is the syllable's tail unless a vowel
/// comes after it (then it starts the next syllable). Jamo that cannot join a syllable
/// are passed through.
pub(crate) fn compose(jamo: &[char]) -> Vec<Composed> {
    let n = jamo.len();
    let at = |i: usize| jamo.get(i).copied();
    let vowel_at = |i: usize| at(i).is_some_and(is_vowel);
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let c = jamo[i];
        let can_lead = lead_index(c).is_some();
        if !(can_lead && vowel_at(i + 1)) {
            out.push(Composed {
                ch: c,
                first: i,
                last: i,
            });
            i += 1;
            continue;
        }
        let mut v = jamo[i + 1];
        let mut j = i + 2;
        if let Some(&(_, _, k)) =
            at(j).and_then(|b| COMPOUND_VOWELS.iter().find(|&&(x, y, _)| x == v && y == b))
        {
            v = k;
            j += 1;
        }
        let mut tail = None;
        if let Some(t) = at(j).filter(|&t| tail_index(t).is_some() && !vowel_at(j + 1)) {
            tail = Some(t);
            j += 1;
            if let Some(&(_, _, k)) = at(j).and_then(|b| {
                (!vowel_at(j + 1))
                    .then(|| CLUSTERS.iter().find(|&&(x, y, _)| x == t && y == b))
                    .flatten()
            }) {
                tail = Some(k);
                j += 1;
            }
        }
        match syllable(c, v, tail) {
            Some(ch) => {
                out.push(Composed {
                    ch,
                    first: i,
                    last: j - 1,
                });
                i = j;
            }
            None => {
                out.push(Composed {
                    ch: c,
                    first: i,
                    last: i,
                });
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(jamo: &str) -> String {
        let v: Vec<char> = jamo.chars().collect();
        compose(&v).into_iter().map(|c| c.ch).collect()
    }

    #[test]
    fn composes_per_the_standard() {
        assert_eq!(s("ㅅㅣㅂㅏㄹ"), "시발");
        assert_eq!(s("ㅂㅕㅇㅅㅣㄴ"), "병신");
        assert_eq!(s("ㄱㅏㅂㅅ"), "값");
        assert_eq!(s("ㄱㅏㅂㅅㅣ"), "갑시");
        assert_eq!(s("ㅇㅗㅏ"), "와");
        assert_eq!(s("ㄷㅏㄹㄱ"), "닭");
        assert_eq!(s("ㄷㅏㄹㄱㅏ"), "달가");
        // Last syllable and first syllable of the block.
        assert_eq!(syllable('ㅎ', 'ㅣ', Some('ㅎ')), Some('\u{D7A3}'));
        assert_eq!(syllable('ㄱ', 'ㅏ', None), Some('가'));
    }

    #[test]
    fn abbreviations_and_orphans_stay() {
        assert_eq!(s("ㅅㅂ"), "ㅅㅂ");
        assert_eq!(s("ㅋㅋㅋ"), "ㅋㅋㅋ");
        assert_eq!(s("ㅏㅅ"), "ㅏㅅ");
        // ㄸ cannot be a tail: it starts nothing without a vowel.
        assert_eq!(s("ㄱㅏㄸ"), "가ㄸ");
    }

    #[test]
    fn positions_cover_the_input() {
        let v: Vec<char> = "ㅅㅣㅂㅏㄹ".chars().collect();
        let c = compose(&v);
        assert_eq!((c[0].first, c[0].last, c[1].first, c[1].last), (0, 1, 2, 4));
    }

    #[test]
    fn initials_and_compat_mapping() {
        assert_eq!(initial('시'), Some('ㅅ'));
        assert_eq!(initial('발'), Some('ㅂ'));
        assert_eq!(initial('씨'), Some('ㅆ'));
        assert_eq!(initial('a'), None);
        assert_eq!(to_compat('\u{1109}'), Some(('ㅅ', None)));
        assert_eq!(to_compat('\u{11AF}'), Some(('ㄹ', None)));
        assert_eq!(to_compat('\u{1175}'), Some(('ㅣ', None)));
        assert_eq!(to_compat('ㅄ'), Some(('ㅂ', Some('ㅅ'))));
        assert_eq!(to_compat('x'), None);
    }
}
