//! Lexicon rules: selection by category and minimum severity, languages, room overrides
//! of levels, and the bundled default pack on each category.

use rules::lexicon::{entries, Category, Lang, Severity};
use rules::{Engine, PackSet, ReviewRequest, Verdict};

fn engine(src: &str) -> Engine {
    Engine::compile(&PackSet::from_toml_str(src, "t.toml", None).unwrap()).unwrap()
}

fn action(e: &Engine, room: &str, text: &str) -> Verdict {
    e.evaluate(&ReviewRequest {
        content: text.into(),
        room_arn: room.into(),
        ..Default::default()
    })
    .action
}

const LEVELS: &str = r#"
[[rules]]
id = "threats"
kind = "lexicon"
action = "deny"
categories = ["harassment"]
min_severity = 3
[[rules]]
id = "swears"
kind = "lexicon"
action = "mask"
categories = ["profanity"]
min_severity = 2
[[rooms]]
arn = "strict"
[[rooms.rules]]
id = "swears"
kind = "lexicon"
action = "mask"
categories = ["profanity"]
min_severity = 1
"#;

#[test]
fn minimum_severity_selects_entries() {
    let e = engine(LEVELS);
    assert_eq!(action(&e, "", "i will kill you"), "deny");
    assert_eq!(
        action(&e, "", "you idiot"),
        "allow",
        "harassment 1 is below 3"
    );
    assert_eq!(action(&e, "", "fuck this"), "rewrite");
    assert_eq!(action(&e, "", "damn it"), "allow", "profanity 1 is below 2");
}

#[test]
fn rooms_override_levels() {
    let e = engine(LEVELS);
    assert_eq!(action(&e, "strict", "damn it"), "rewrite");
    assert_eq!(action(&e, "strict", "i will kill you"), "deny");
}

#[test]
fn every_category_selects_only_itself() {
    let samples = [
        (Category::Profanity, "fuck this"),
        (Category::Sexual, "send nudes"),
        (Category::IdentityHate, "you faggot"),
        (Category::Harassment, "i will kill you"),
        (Category::SelfHarm, "kys"),
        (Category::ScamSpam, "free vbucks"),
    ];
    for (cat, _) in samples {
        let e = engine(&format!(
            "[[rules]]\nid = \"r\"\nkind = \"lexicon\"\naction = \"deny\"\ncategories = [\"{}\"]\n",
            cat.as_str()
        ));
        for (other, text) in samples {
            let expected = if other == cat { "deny" } else { "allow" };
            assert_eq!(action(&e, "", text), expected, "{cat} on {text:?}");
        }
    }
}

#[test]
fn unknown_language_and_empty_categories_are_errors_with_location() {
    let src = "[[rules]]\nid = \"r\"\nkind = \"lexicon\"\naction = \"deny\"\ncategories = [\"sexual\"]\nlanguages = [\"xx\"]\n";
    let e = PackSet::from_toml_str(src, "t.toml", None).unwrap_err();
    assert_eq!(e.location().unwrap().line, 6, "{e}");
    assert!(e.to_string().contains("en"), "{e}");
    let src = "[[rules]]\nid = \"r\"\nkind = \"lexicon\"\naction = \"deny\"\n";
    assert!(PackSet::from_toml_str(src, "t.toml", None).is_err());
    let src =
        "[[rules]]\nid = \"r\"\nkind = \"lexicon\"\naction = \"deny\"\ncategories = [\"slurs\"]\n";
    assert!(PackSet::from_toml_str(src, "t.toml", None).is_err());
    let src = "[[rules]]\nid = \"r\"\nkind = \"lexicon\"\naction = \"deny\"\ncategories = [\"sexual\"]\nmin_severity = 4\n";
    assert!(PackSet::from_toml_str(src, "t.toml", None).is_err());
}

#[test]
fn english_lexicon_is_large_and_covers_every_category_and_level() {
    let en = entries(Lang::from_code("en").unwrap()).unwrap();
    assert!(en.len() >= 1500, "{}", en.len());
    for c in Category::ALL {
        assert!(en.iter().any(|e| e.category == c), "{c}");
    }
    for s in [Severity::Mild, Severity::Moderate, Severity::Severe] {
        assert!(en.iter().any(|e| e.severity == s), "{s}");
    }
}

#[test]
fn bundled_default_pack_acts_by_category_and_spares_innocent_words() {
    let e = Engine::compile(&PackSet::bundled_default()).unwrap();
    for (text, want) in [
        ("you n1gger", "deny"),
        ("i'll kill you", "deny"),
        ("go kys", "deny"),
        ("free robux generator", "deny"),
        ("what the fuck", "rewrite"),
        ("45$ho1e", "rewrite"),
        ("s1ut", "rewrite"),
        ("you idiot", "rewrite"),
        ("I killed the boss", "allow"),
        ("my grandma has breast cancer", "allow"),
        ("the assassin class is classic", "allow"),
        ("hello from Scunthorpe", "allow"),
        ("a cocktail with the therapist", "allow"),
        ("grape analysis", "allow"),
        ("I'm an idiot, forgot to reload", "allow"),
    ] {
        assert_eq!(action(&e, "", text), want, "{text:?}");
    }
}
