//! Korean and Japanese moderation end to end: the issue-12 acceptance messages on the
//! example CJK pack (bundled lexicon, en + ko + ja) and masking of mixed-script messages.

use rules::{Engine, PackSet, ReviewRequest, ReviewResult};

fn engine(src: &str) -> Engine {
    Engine::compile(&PackSet::from_toml_str(src, "test.toml", None).unwrap()).unwrap()
}

fn cjk() -> Engine {
    engine(include_str!("../packs/cjk.toml"))
}

fn eval(e: &Engine, text: &str) -> (ReviewResult, String, usize) {
    let ev = e.evaluate(&ReviewRequest {
        content: text.into(),
        ..Default::default()
    });
    (
        ev.response.review_result,
        ev.response.content,
        ev.fired.len(),
    )
}

#[test]
fn acted_on() {
    let e = cjk();
    for text in [
        "お前死ねよ",
        "이 시발놈아",
        "병신같은 소리",
        "ㅅㅂ 진짜",
        "시1발",
        "tlqkf",
    ] {
        let (r, content, fired) = eval(&e, text);
        assert!(
            fired > 0 && (r == ReviewResult::Deny || content != text),
            "{text}: {r:?} {content}"
        );
    }
}

#[test]
fn passes() {
    let e = cjk();
    for text in [
        "시발점에서 출발",
        "今日はいい天気ですね",
        "안녕하세요 반가워요",
        "assassin",
        "Scunthorpe",
        "1년 동안 게임했어요",
        "이 년 전에 갔었어",
        "sus",
        "약속 やくそく",
        "ばかりです",
        "쓰레기 버리고 올게",
    ] {
        let (r, content, fired) = eval(&e, text);
        assert_eq!(
            (r, content.as_str(), fired),
            (ReviewResult::Allow, text, 0),
            "{text}"
        );
    }
}

#[test]
fn masking_mixed_scripts_hits_exactly_the_original_characters() {
    let e = engine(
        r#"
[[rules]]
id = "p"
kind = "keywords"
action = "mask"
terms = ["fuck", "시발", "クソ", "병신"]
"#,
    );
    let (_, out, _) = eval(&e, "FUCK이야 ㅋㅋ 시1발 ｸｿゲー qudtls 안녕");
    assert_eq!(out, "****이야 ㅋㅋ *** **ゲー ****** 안녕");
    let (_, out, _) = eval(&e, "병 신 ㅅㅂ");
    assert_eq!(out, "* * **");
}
