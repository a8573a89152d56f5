//! Unit tests of the normaliser.

use super::chars::{is_invisible, listed_invisible};
use super::*;
use crate::script::all_letters;

fn n(s: &str) -> String {
    normalize(s, Transforms::ALL).as_str().to_string()
}

#[test]
fn case_and_compatibility_folding() {
    assert_eq!(n("HeLLo"), "helo");
    assert_eq!(n("ｆｕｃｋ"), "fuck");
    assert_eq!(n("𝐟𝐮𝐜𝐤"), "fuck");
    assert_eq!(n("ⓕⓤⓒⓚ"), "fuck");
}

#[test]
fn confusables_fold_cyrillic_and_greek() {
    // Cyrillic а, е, о and Greek ο.
    assert_eq!(n("shіt"), "shit");
    assert_eq!(n("bаd wоrd"), "bad word");
    assert_eq!(n("ℊοοd"), "god");
}

#[test]
fn invisible_and_marks_are_stripped() {
    assert_eq!(n("fu\u{200B}ck"), "fuck");
    assert_eq!(n("f\u{202E}uck"), "fuck");
    assert_eq!(n("f̸̡͕u̞̪c̴k"), "fuck");
    assert_eq!(n("café"), "cafe");
}

#[test]
fn leetspeak_in_words_only() {
    assert_eq!(n("sh1t"), "shit");
    assert_eq!(n("$h!t"), "shit");
    assert_eq!(n("h3ll0"), "helo");
    assert_eq!(n("a$$"), "as");
    assert_eq!(n("hello!"), "helo!");
    assert_eq!(n("@name 100"), "@name 100");
    // Each token on its own: digits read as letters only in tokens with a letter.
    assert_eq!(n("hi 100 sh1t 555 b4d 2024"), "hi 100 shit 555 bad 2024");
    assert_eq!(n("win 100 h4x0r 7"), "win 100 haxor 7");
}

#[test]
fn leet_one_reads_as_l_where_english_has_an_l() {
    assert_eq!(n("45$ho1e"), "ashole");
    assert_eq!(normalize("45$ho1e", Transforms::ALL).all_runs()[1], 2);
    assert_eq!(n("s1ut"), "slut");
    assert_eq!(n("a55ho1e"), "ashole");
    assert_eq!(n("bu11sh1t"), "bulshit");
    assert_eq!(n("k1ll yourse1f"), "kil yourself");
    assert_eq!(n("c1it"), "clit");
    assert_eq!(n("1oser"), "loser");
    // ... and as `i` elsewhere.
    for (leet, plain) in [
        ("sh1t", "shit"),
        ("b1tch", "bitch"),
        ("d1e", "die"),
        ("n1gga", "niga"),
        ("su1c1de", "suicide"),
        ("1diot", "idiot"),
        ("p1ss", "pis"),
    ] {
        assert_eq!(n(leet), plain, "{leet}");
    }
}

#[test]
fn leet_looks_through_invisible_characters() {
    assert_eq!(n("$\u{200B}L\u{200B}U\u{200B}T"), "slut");
    assert_eq!(n("T\u{200B}1\u{200B}T\u{200B}$"), "tits");
}

#[test]
fn separators_inside_words() {
    assert_eq!(n("f.u.c.k"), "fuck");
    assert_eq!(n("f_u-c*k off"), "fuck of");
    assert_eq!(n("f u c k"), "fuck");
    assert_eq!(n("a cat"), "a cat");
    assert_eq!(n("hello, world"), "helo, world");
    assert_eq!(n("he'll"), "he'l");
}

#[test]
fn repeats_collapse_with_runs() {
    let v = normalize("fuuuuck", Transforms::ALL);
    assert_eq!(v.as_str(), "fuck");
    assert_eq!(v.all_runs(), vec![1, 4, 1, 1]);
}

#[test]
fn every_transform_can_be_switched_off() {
    let t = Transforms::NONE;
    assert_eq!(normalize("F.u  Ｕ3\u{200B}", t).as_str(), "F.u Ｕ3\u{200B}");
    let only_fold = Transforms {
        fold: true,
        ..Transforms::NONE
    };
    assert_eq!(normalize("ＦU", only_fold).as_str(), "fu");
}

fn without(f: impl Fn(&mut Transforms)) -> Transforms {
    let mut t = Transforms::ALL;
    f(&mut t);
    t
}

#[test]
fn hangul_syllables_stay_composed_and_jamo_compose() {
    assert_eq!(n("시발"), "시발");
    assert_eq!(n("ㅅㅣㅂㅏㄹ"), "시발");
    assert_eq!(n("ㅅ ㅣ ㅂ ㅏ ㄹ"), "시발");
    // Conjoining jamo (NFD input) compose the same way.
    assert_eq!(n("\u{1109}\u{1175}\u{1107}\u{1161}\u{11AF}"), "시발");
    // Clusters split: ㅄ is ㅂ + ㅅ.
    assert_eq!(n("ㅄ"), "ㅂㅅ");
    assert_eq!(n("ㅋㅋㅋ"), "ㅋ");
    let off = without(|t| t.hangul = false);
    assert_ne!(normalize("ㅅㅣㅂㅏㄹ", off).as_str(), "시발");
}

#[test]
fn hangul_spacing_drops_insertions_and_joins_spaced_syllables() {
    assert_eq!(n("시1발"), "시발");
    assert_eq!(n("시@발"), "시발");
    assert_eq!(n("시.발"), "시발");
    assert_eq!(n("시ab발"), "시발");
    assert_eq!(n("병 신"), "병신");
    assert_eq!(n("개 새 끼"), "개새끼");
    // An interjection stands alone; a longer word ends the run.
    assert_eq!(n("와 병 신"), "와 병신");
    assert_eq!(n("병 신 같은 소 리"), "병신 같은 소리");
    // Longer insertions and multi-syllable words are left alone.
    assert_eq!(n("이 시발놈아"), "이 시발놈아");
    assert_eq!(n("안녕 친구"), "안녕 친구");
    assert_eq!(n("나는game을"), "나는game을");
    let off = without(|t| t.hangul_spacing = false);
    assert_eq!(normalize("병 신", off).as_str(), "병 신");
}

#[test]
fn keyboard_latin_mode_decodes_outside_english() {
    assert_eq!(n("tlqkf"), "시발");
    assert_eq!(n("ㅋㅋ qudtls 아"), "ㅋ 병신 아");
    assert_eq!(n("Tlqkf!"), "씨발!");
    // English words that would decode, leet, and one-syllable tokens stay Latin.
    assert_eq!(n("the aback"), "the aback");
    assert_eq!(n("tlqk4"), "tlqka");
    assert_eq!(n("sus"), "sus");
    let off = without(|t| t.keyboard = false);
    assert_eq!(normalize("tlqkf", off).as_str(), "tlqkf");
}

#[test]
fn kana_folds_and_keeps_voicing() {
    assert_eq!(n("シネ"), "しね");
    assert_eq!(n("ｼﾈ"), "しね");
    assert_eq!(n("バカ"), "ばか");
    assert_eq!(n("ﾊﾞｶ"), "ばか");
    assert_ne!(n("ばか"), n("はか"));
    assert_eq!(n("ばーか"), "ばか");
    assert_eq!(n("死ーね"), "死ね");
    assert_eq!(n("しねぇ"), "しねえ");
    // Repeats collapse as in every script (`いい` → `い`, run 2).
    assert_eq!(n("今日はいい天気ですね"), "今日はい天気ですね");
    let off = without(|t| t.kana = false);
    assert_eq!(normalize("シネ", off).as_str(), "シネ");
}

#[test]
fn east_asian_scripts_skip_confusables() {
    for s in ["死ね", "お前", "ควย", "병신", "ㅗ"] {
        assert_eq!(n(s), s);
    }
}

#[test]
fn korean_and_japanese_map_back_to_original_bytes() {
    for (src, view, want) in [
        ("이 시1발 ok", "시발", "시1발"),
        ("qudtls 아", "병신", "qudtls"),
        ("ㅅㅣㅂㅏㄹ", "시발", "ㅅㅣㅂㅏㄹ"),
        ("おまえ ﾊﾞｶー!", "ばか", "ﾊﾞｶー"),
        ("병 신", "병신", "병 신"),
    ] {
        let v = normalize(src, Transforms::ALL);
        let at = v
            .as_str()
            .find(view)
            .unwrap_or_else(|| panic!("{src}: {}", v.as_str()));
        let (s, e) = v.source_span(at, at + view.len()).unwrap();
        assert_eq!(&src[s..e], want, "{src}");
    }
}

#[test]
fn in_place_passes_keep_every_later_item_and_its_span() {
    let src = "qudtls tlqkf ㅅㅣㅂㅏㄹ f.u.c.k ok";
    let v = normalize(src, Transforms::ALL);
    assert_eq!(v.as_str(), "병신 시발 시발 fuck ok");
    let span = |at: usize, len: usize| {
        let (s, e) = v.source_span(at, at + len).unwrap();
        &src[s..e]
    };
    let t = v.as_str();
    assert_eq!(span(t.find("병신").unwrap(), "병신".len()), "qudtls");
    assert_eq!(span(t.find("시발").unwrap(), "시발".len()), "tlqkf");
    assert_eq!(span(t.rfind("시발").unwrap(), "시발".len()), "ㅅㅣㅂㅏㄹ");
    assert_eq!(span(t.find("fuck").unwrap(), 4), "f.u.c.k");
    assert_eq!(span(t.find("ok").unwrap(), 2), "ok");
}

#[test]
fn letter_blocks_hold_no_invisible_character_but_the_hangul_filler() {
    for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
        if all_letters(c) {
            assert_eq!(listed_invisible(c), c == '\u{3164}', "{c:?}");
        }
    }
    assert!(is_invisible('\u{3164}') && is_invisible('\u{200B}'));
}

#[test]
fn map_back_to_original_bytes() {
    let src = "xx ｆ.u.u.c.k yy";
    let v = normalize(src, Transforms::ALL);
    let at = v.as_str().find("fuck").unwrap();
    let (s, e) = v.source_span(at, at + 4).unwrap();
    assert_eq!(&src[s..e], "ｆ.u.u.c.k");
}

#[test]
fn a_reused_normalizer_gives_the_views_of_fresh_ones() {
    // Long before short and back, every transform set: nothing of one text's view may
    // remain in the next (items, text, byte map, classes, decompositions).
    let texts = [
        "Ｆ.u.u.u.c.k 𝔶𝔬𝔲 ﾊﾞｶｰ 시1발 tlqkf ㅅㅣㅂㅏㄹ 병 신 café",
        "a",
        "",
        "  ㅄ  ",
        "f u c k ｼﾈ 死ね",
        "sh1t!! @name",
    ];
    for t in [Transforms::ALL, Transforms::NONE, Transforms::default()] {
        let mut reused = Normalizer::default();
        for text in texts.iter().chain(texts.iter().rev()) {
            let fresh = normalize(text, t);
            let again = reused.view(text, t);
            assert_eq!(again.text, fresh.text, "{text:?}");
            assert_eq!(again.items, fresh.items, "{text:?}");
            assert_eq!(again.byte_to_item, fresh.byte_to_item, "{text:?}");
        }
    }
}
